//! The documentation in layers: a README a newcomer reads in minutes, then the guide, the FAQ
//! and CONTRIBUTING.md, linked to each other. These tests keep the README short, every relative
//! link leading somewhere, the user documents free of history and roadmap voice, and the help
//! text the guide quotes true to the code. (The README's quickstart itself is run by
//! `scripts/quickstart.sh`, from `scripts/test.sh`.)

use std::path::{Path, PathBuf};
use std::process::Command;

/// GitHub's README of a project is read by people deciding whether to use it: 12 KiB is a few
/// minutes of reading.
const README_MOST_BYTES: usize = 12 * 1024;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(relative: &str) -> String {
    std::fs::read_to_string(root().join(relative))
        .unwrap_or_else(|error| panic!("read {relative}: {error}"))
}

/// The documents people read, from the repository root.
const USER_DOCS: &[&str] = &["README.md", "docs/guide.md", "docs/faq.md"];
const ALL_DOCS: &[&str] = &[
    "README.md",
    "docs/guide.md",
    "docs/faq.md",
    "CONTRIBUTING.md",
];

/// Files the reference and the output schemas are generated into, by the commands that write
/// them (`docs/reference/`, `schema/output/`); a link into them is checked once they exist.
const GENERATED_ELSEWHERE: &[&str] = &[];

#[test]
fn the_readme_stays_under_12_kib() {
    let size = read("README.md").len();
    assert!(
        size <= README_MOST_BYTES,
        "README.md is {size} bytes, more than {README_MOST_BYTES}: move the detail to docs/guide.md \
         and link it"
    );
}

#[test]
fn the_readme_has_the_quickstart_the_script_runs() {
    let readme = read("README.md");
    let marked = readme.matches("<!-- quickstart").count();
    assert!(
        marked >= 3,
        "the README's quickstart marks {marked} blocks: scripts/quickstart.sh runs the blocks \
         after `<!-- quickstart -->` and writes the one after `<!-- quickstart: FILE -->`"
    );
    for step in [
        "provision validate",
        "provision diff       # exit 2",
        "provision apply",
        "provision diff       # exit 0",
        "provision verify",
    ] {
        assert!(readme.contains(step), "the quickstart lacks `{step}`");
    }
}

/// GitHub's anchor of a heading: lower case, punctuation dropped, spaces as `-`.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// The anchors of a Markdown file's headings (outside code blocks).
fn anchors(text: &str) -> Vec<String> {
    let mut fenced = false;
    let mut found = Vec::new();
    for line in text.lines() {
        if line.starts_with("```") {
            fenced = !fenced;
        } else if !fenced && line.starts_with('#') {
            found.push(anchor(line.trim_start_matches('#')));
        }
    }
    found
}

/// The `](target)` links of a Markdown text, outside code blocks.
fn links(text: &str) -> Vec<String> {
    let mut fenced = false;
    let mut found = Vec::new();
    for line in text.lines() {
        if line.starts_with("```") || line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        for part in line.split("](").skip(1) {
            if let Some(end) = part.find(')') {
                found.push(part[..end].to_string());
            }
        }
    }
    found
}

#[test]
fn every_relative_link_of_the_docs_leads_to_a_file_and_heading() {
    let mut broken = Vec::new();
    for doc in ALL_DOCS {
        let text = read(doc);
        let base: PathBuf = Path::new(doc).parent().unwrap_or(Path::new("")).into();
        for link in links(&text) {
            if link.contains("://") || link.starts_with("mailto:") {
                continue;
            }
            let (file, heading) = link.split_once('#').unwrap_or((&link, ""));
            let target = if file.is_empty() {
                PathBuf::from(doc)
            } else {
                base.join(file)
            };
            let normal = normalize(&target);
            let path = root().join(&normal);
            if !path.exists() {
                let elsewhere = GENERATED_ELSEWHERE
                    .iter()
                    .any(|prefix| normal.to_string_lossy().starts_with(prefix));
                if !elsewhere {
                    broken.push(format!("{doc}: {link} (no file {})", normal.display()));
                }
                continue;
            }
            if !heading.is_empty() && path.extension().is_some_and(|e| e == "md") {
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                if !anchors(&text).iter().any(|a| a == heading) {
                    broken.push(format!("{doc}: {link} (no heading #{heading})"));
                }
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

/// `docs/../README.md` as `README.md`.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

#[test]
fn the_user_docs_describe_the_tool_without_history_or_roadmap() {
    let voices = [
        "was added",
        "were added",
        "today we",
        "new in ",
        "(new)",
        "will record",
        "will be added",
        "will support",
        "not yet",
        "in a future",
        "as before",
        "issue #",
    ];
    let mut found = Vec::new();
    for doc in USER_DOCS {
        for (number, line) in read(doc).lines().enumerate() {
            let lower = line.to_lowercase();
            for voice in voices {
                if lower.contains(voice) {
                    found.push(format!("{doc}:{}: `{voice}`: {line}", number + 1));
                }
            }
            let words: Vec<&str> = lower.split_whitespace().collect();
            if words.windows(2).any(|pair| {
                pair[0] == "issue"
                    && pair[1]
                        .trim_matches(|c: char| !c.is_ascii_digit())
                        .parse::<u32>()
                        .is_ok()
            }) {
                found.push(format!("{doc}:{}: an issue number: {line}", number + 1));
            }
        }
    }
    assert!(
        found.is_empty(),
        "history or roadmap voice:\n{}",
        found.join("\n")
    );
}

/// The guide says `--wait-timeout` bounds the settle phase as a whole (`src/engine/settle.rs`
/// waits for every written connection against one deadline); `apply --help` says the same.
#[test]
fn the_wait_timeout_help_says_it_bounds_the_whole_settle_phase() {
    let output = Command::new(env!("CARGO_BIN_EXE_provision"))
        .args(["apply", "--help"])
        .env("NO_COLOR", "1")
        .output()
        .expect("run provision");
    let help = String::from_utf8_lossy(&output.stdout);
    let entry = help
        .split("--wait-timeout <DURATION>")
        .nth(1)
        .and_then(|rest| rest.split("\n      --").next())
        .unwrap_or_default();
    assert!(
        entry.contains("the written connections") && entry.contains("whole settle phase"),
        "apply --help on --wait-timeout:\n{entry}"
    );
    assert!(!entry.contains("each connection"), "{entry}");
    let guide = read("docs/guide.md");
    assert!(guide.contains("for all written connections together"));
}
