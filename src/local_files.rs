//! Reading and writing the files a user names, safely: a bounded read of a regular file, and a
//! write that never goes through a symbolic link.
//!
//! A path given to `--config`, `show` or a `file:` secret may be anything: `/dev/zero` reads
//! without end, a named pipe blocks until a writer comes. [`read`] refuses what is not a
//! regular file, checked before it is opened (opening a pipe blocks) and again on what was
//! opened, and stops at a bound ([`crate::bounds`]) that fits the file.
//!
//! A folder written into may hold links planted by someone else (a committed symlink in a
//! repository checked out in CI): writing through one writes outside the folder. [`replace`]
//! writes a new file next to the target (created exclusively, so never through a link) and
//! renames it over the target, which replaces a link rather than following it;
//! [`create_folders`] refuses a link among the folders it walks through.

use crate::bounds::bytes;
use std::fs::{self, File, Metadata, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// Why a file could not be read.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// It is not a regular file: a named pipe, a device, a socket, a folder.
    NotRegular(&'static str),
    /// It holds more than `limit` bytes: reading stopped there.
    TooLarge {
        limit: usize,
    },
    Io(io::Error),
}

impl ReadError {
    /// What is wrong, for a message that names the file first.
    pub(crate) fn describe(&self) -> String {
        match self {
            ReadError::NotRegular(kind) => {
                format!("it is {kind}, not a regular file; provision reads regular files only")
            }
            ReadError::TooLarge { limit } => format!(
                "it is larger than {}, the most provision reads of it",
                bytes(*limit)
            ),
            ReadError::Io(error) => error.to_string(),
        }
    }
}

impl From<io::Error> for ReadError {
    fn from(error: io::Error) -> Self {
        ReadError::Io(error)
    }
}

/// The bytes of the regular file at `path` (a link to one is followed), at most `limit`.
pub(crate) fn read(path: &Path, limit: usize) -> Result<Vec<u8>, ReadError> {
    regular(&fs::metadata(path)?)?;
    let file = File::open(path)?;
    // It may have been swapped between the check and the open: check what was opened.
    let metadata = file.metadata()?;
    regular(&metadata)?;
    if metadata.len() > limit as u64 {
        return Err(ReadError::TooLarge { limit });
    }
    let mut content = Vec::new();
    file.take(limit as u64 + 1).read_to_end(&mut content)?;
    if content.len() > limit {
        return Err(ReadError::TooLarge { limit });
    }
    Ok(content)
}

/// The text of the regular file at `path`, at most `limit` bytes (text that is not UTF-8 is an
/// [`ReadError::Io`] of kind `InvalidData`).
pub(crate) fn read_text(path: &Path, limit: usize) -> Result<String, ReadError> {
    let content = read(path, limit)?;
    String::from_utf8(content).map_err(|_| {
        ReadError::Io(io::Error::new(
            io::ErrorKind::InvalidData,
            "it is not UTF-8 text",
        ))
    })
}

fn regular(metadata: &Metadata) -> Result<(), ReadError> {
    if metadata.is_file() {
        Ok(())
    } else if metadata.is_dir() {
        Err(ReadError::NotRegular("a folder"))
    } else {
        Err(ReadError::NotRegular(special_file_kind(metadata)))
    }
}

/// What a path that is neither a regular file nor a folder is, for messages.
#[cfg(unix)]
pub(crate) fn special_file_kind(metadata: &Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let kind = metadata.file_type();
    if kind.is_fifo() {
        "a named pipe (FIFO)"
    } else if kind.is_char_device() || kind.is_block_device() {
        "a device"
    } else if kind.is_socket() {
        "a socket"
    } else {
        "a special file"
    }
}

#[cfg(not(unix))]
pub(crate) fn special_file_kind(_: &Metadata) -> &'static str {
    "a special file"
}

/// Who may read a file [`replace`] writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    /// Only the owner (0600): it may say more than the user wants others to read.
    Owner,
    /// As the umask allows (0666 before it): a file meant to be shared.
    Shared,
}

/// Writes `content` to `path`: to a new file in the same folder first (created exclusively,
/// so a link planted under its name is never followed), then renamed over `path` (a link at
/// `path` is replaced, not followed). An interrupted write leaves `path` as it was.
pub(crate) fn replace(path: &Path, content: &[u8], access: Access) -> io::Result<()> {
    let partial = partial_path(path)?;
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(match access {
            Access::Owner => 0o600,
            Access::Shared => 0o666,
        });
    }
    #[cfg(not(unix))]
    let _ = access;
    let written = options.open(&partial).and_then(|mut file| {
        file.write_all(content)?;
        file.sync_all()
    });
    let renamed = written.and_then(|()| fs::rename(&partial, path));
    if renamed.is_err() {
        let _ = fs::remove_file(&partial);
    }
    renamed
}

/// `<name>.<random>.partial` beside `path`: a name nobody can plant a link under in advance.
fn partial_path(path: &Path) -> io::Result<PathBuf> {
    let mut random = [0u8; 8];
    getrandom::fill(&mut random).map_err(|error| io::Error::other(error.to_string()))?;
    let suffix: String = random.iter().map(|b| format!("{b:02x}")).collect();
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".{suffix}.partial"));
    Ok(path.with_file_name(name))
}

/// Creates each folder of `relative` under `root` that is missing; a link among them (or a
/// file where a folder belongs) is refused, naming it, so nothing is written through it.
/// `root` itself is the user's choice and may be a link.
pub(crate) fn create_folders(root: &Path, relative: &Path) -> io::Result<()> {
    let mut folder = root.to_path_buf();
    for part in relative.components() {
        folder.push(part);
        match fs::symlink_metadata(&folder) {
            Ok(metadata) if metadata.file_type().is_symlink() => {
                return Err(io::Error::other(format!(
                    "{} is a symbolic link; provision writes nothing through a link (remove it)",
                    folder.display()
                )));
            }
            Ok(metadata) if metadata.is_dir() => {}
            Ok(_) => {
                return Err(io::Error::other(format!(
                    "{} is not a folder (remove it)",
                    folder.display()
                )));
            }
            Err(error) if error.kind() == io::ErrorKind::NotFound => fs::create_dir(&folder)?,
            Err(error) => return Err(error),
        }
    }
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::{PermissionsExt, symlink};

    #[test]
    fn a_device_a_pipe_and_a_folder_are_refused_and_a_large_file_is_cut_off() {
        assert!(matches!(
            read(Path::new("/dev/zero"), 1024),
            Err(ReadError::NotRegular("a device"))
        ));
        let folder = tempfile::tempdir().unwrap();
        assert!(matches!(
            read(folder.path(), 1024),
            Err(ReadError::NotRegular("a folder"))
        ));
        let pipe = folder.path().join("pipe");
        assert!(
            std::process::Command::new("mkfifo")
                .arg(&pipe)
                .status()
                .unwrap()
                .success()
        );
        // Refused at once: it is never opened, so nothing waits for a writer.
        assert!(matches!(
            read(&pipe, 1024),
            Err(ReadError::NotRegular("a named pipe (FIFO)"))
        ));
        let large = folder.path().join("large");
        fs::write(&large, vec![b'x'; 1025]).unwrap();
        let error = read(&large, 1024).unwrap_err();
        assert_eq!(
            error.describe(),
            "it is larger than 1 KiB, the most provision reads of it"
        );
        fs::write(&large, vec![b'x'; 1024]).unwrap();
        assert_eq!(read(&large, 1024).unwrap().len(), 1024);
    }

    #[test]
    fn a_replaced_file_is_written_through_no_link_and_only_its_owner_reads_it() {
        let folder = tempfile::tempdir().unwrap();
        let outside = folder.path().join("outside");
        fs::write(&outside, "untouched").unwrap();
        let target = folder.path().join("plan.json");
        symlink(&outside, &target).unwrap();
        replace(&target, b"new", Access::Owner).unwrap();
        assert_eq!(fs::read_to_string(&outside).unwrap(), "untouched");
        assert!(!fs::symlink_metadata(&target).unwrap().is_symlink());
        assert_eq!(fs::read_to_string(&target).unwrap(), "new");
        let mode = fs::metadata(&target).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let left: Vec<_> = fs::read_dir(folder.path()).unwrap().collect();
        assert_eq!(left.len(), 2, "no partial file is left behind");
    }

    #[test]
    fn a_link_among_the_folders_is_refused() {
        let folder = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        fs::create_dir(folder.path().join("org")).unwrap();
        symlink(elsewhere.path(), folder.path().join("org/force-app")).unwrap();
        let error = create_folders(folder.path(), Path::new("org/force-app/main")).unwrap_err();
        assert!(error.to_string().contains("is a symbolic link"), "{error}");
        assert!(fs::read_dir(elsewhere.path()).unwrap().next().is_none());
        create_folders(folder.path(), Path::new("org/other/main")).unwrap();
        assert!(folder.path().join("org/other/main").is_dir());
    }
}
