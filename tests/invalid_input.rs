//! The corpus of invalid inputs: every mistake a user can make in the YAML or the paths gets a
//! precise message, pinned here exactly.
//!
//! Each folder under `tests/invalid/` is one case and one test: its files (usually a single
//! `connection.yaml`) are copied into a fresh temporary folder, `provision validate` runs there
//! on the paths listed in `args` (default `connection.yaml`), and the run must exit 1, print
//! nothing on stdout, and print exactly `expected.stderr` on stderr. An optional `setup` file
//! makes what git cannot hold: `symlink LINK TARGET`, `unreadable PATH` (mode 000) and
//! `fifo PATH` (a named pipe).
//!
//! To rewrite the expected files after an intended change of wording, run with
//! `PROVISION_BLESS=1` and review the diff.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Files of a case folder that describe the case rather than being its input.
const CASE_FILES: &[&str] = &["expected.stderr", "args", "setup"];

macro_rules! cases {
    ($($name:ident),* $(,)?) => {
        /// Every case folder, by the name of its test.
        const CASES: &[&str] = &[$(stringify!($name)),*];
        $(
            #[test]
            fn $name() {
                run_case(&stringify!($name).replace('_', "-"));
            }
        )*
    };
}

cases! {
    // YAML syntax
    yaml_unclosed_list,
    yaml_unclosed_quote,
    yaml_tab_indentation,
    yaml_colon_in_plain_value,
    yaml_bad_indentation,
    yaml_duplicate_key,
    keys_read_as_the_same_number,
    yaml_key_without_colon,
    yaml_unknown_alias,
    yaml_alias_bomb,
    yaml_content_after_document_end,
    yaml_syntax_error_in_second_document,
    not_utf8,
    byte_order_mark_error_on_first_line,
    byte_order_mark_only_file,
    // Wrong types
    document_is_a_list,
    document_is_a_scalar,
    wrong_type_name_list,
    wrong_type_salesforce_string,
    wrong_type_allow_any_host,
    wrong_type_headers_list,
    wrong_type_regions_string,
    wrong_type_region_item,
    regions_empty_list,
    region_mistyped,
    region_unknown_with_region_shape,
    region_far_from_any_known,
    region_listed_twice,
    client_id_no_value,
    yaml_tag,
    header_value_null,
    my_domain_read_as_number,
    sandbox_read_as_true_false,
    header_value_read_as_number,
    // Unknown keys
    unknown_key_top_level_typo,
    unknown_key_nested_typo,
    unknown_key_no_suggestion,
    // A value with a line break or a terminal escape is echoed escaped: it cannot start a
    // line (a CI runner's `::` command) or drive a terminal
    outside_text_in_unknown_key,
    outside_text_in_my_domain,
    outside_text_in_env_name,
    outside_text_in_event,
    unknown_key_in_secret_reference,
    unknown_key_in_parameter_block,
    // Missing keys
    missing_required_keys,
    missing_my_domain,
    missing_resource_configuration_arn,
    missing_key_in_second_document,
    // Empty files and documents, several documents per file
    empty_file,
    comments_only_file,
    empty_document_between_documents,
    error_in_second_document,
    // AWS limits
    name_too_long,
    name_forbidden_character,
    name_empty,
    description_too_long_with_marker,
    token_url_too_long,
    client_id_too_long,
    client_id_colon,
    client_id_control_character,
    client_id_empty,
    header_name_forbidden_character,
    header_name_too_long,
    header_value_not_ascii,
    header_value_too_long,
    header_value_empty,
    query_name_control_character,
    query_value_too_long,
    query_value_empty,
    too_many_parameters,
    duplicate_header_names_differing_in_case,
    kms_key_empty,
    // Salesforce rules
    token_url_http,
    token_url_login_salesforce,
    token_url_test_salesforce_even_with_opt_in,
    token_url_not_my_domain,
    token_url_lightning_host,
    token_url_wrong_path,
    token_url_not_a_url,
    token_url_upper_case_host_and_default_port,
    token_url_dot_segments_and_backslashes,
    token_url_without_slashes,
    token_url_spaces_around,
    token_url_empty_host_label,
    token_url_trailing_dot_even_with_opt_in,
    token_url_port_without_opt_in,
    my_domain_is_a_host_name,
    my_domain_is_a_url,
    my_domain_forbidden_character,
    sandbox_cannot_form_host_name,
    my_domain_and_token_url,
    grant_type_override,
    // Secrets
    client_secret_literal,
    secret_reference_without_source,
    secret_reference_with_several_sources,
    secret_reference_empty,
    secret_reference_env_is_a_value,
    secret_reference_key_without_secrets_manager,
    // Duplicate names
    duplicate_names_across_files,
    duplicate_names_in_one_file,
    // Paths
    path_missing_file,
    path_missing_default_folder,
    path_folder_without_yaml,
    path_unreadable_file,
    path_unreadable_folder,
    path_symlink_loop,
    path_symlink_cycle_between_files,
    path_dangling_symlink,
    path_fifo,
    path_fifo_in_folder,
    path_device,
    // All problems of a run at once
    several_problems_in_one_run,
    // External Client Apps (salesforce.app)
    app_run_as_user_not_a_username,
    app_scope_unknown,
    app_name_not_an_api_name,
    app_contact_email_missing,
    app_unknown_key,
    // Targets: the project file's, and where the documents say they live
    target_document_without_targets,
    target_unknown_in_document,
    target_region_outside_its_targets,
    target_in_document_without_project_targets,
    target_accounts_shared,
    target_role_in_another_account,
    target_not_in_accounts,
    target_fields_broken,
    // API destinations
    destination_event_not_a_platform_event,
    destination_api_version_not_vnn,
    destination_rate_limit_out_of_range,
    destination_rate_limit_beyond_the_api_integer,
    destination_rate_limit_hex,
    destination_rate_limit_leading_zero,
    destination_rate_limit_plus_sign,
    destination_api_version_three_digits,
    destination_two_targets,
    destination_names_duplicate_across_files,
    rule_names_duplicate_across_files,
    rule_targets_more_than_five,
    rule_patterns_differ_between_targets,
    rule_pattern_range_reversed,
}

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/invalid")
}

/// A folder without a test would never run; a test without a folder fails on its own.
#[test]
fn every_case_folder_has_a_test() {
    let mut folders: Vec<String> = fs::read_dir(corpus())
        .expect("tests/invalid exists")
        .map(|entry| entry.expect("readable entry").file_name())
        .map(|name| name.to_string_lossy().into_owned())
        .collect();
    folders.sort();
    let mut tested: Vec<String> = CASES.iter().map(|name| name.replace('_', "-")).collect();
    tested.sort();
    assert_eq!(folders, tested, "tests/invalid and the cases! list differ");
    assert!(CASES.len() >= 40, "the corpus holds {} cases", CASES.len());
}

fn run_case(name: &str) {
    let case = corpus().join(name);
    assert!(case.is_dir(), "no folder {}", case.display());
    let work = tempfile::tempdir().expect("temporary folder");
    copy_inputs(&case, work.path());

    let args = match fs::read_to_string(case.join("args")) {
        Ok(text) => text.split_whitespace().map(str::to_string).collect(),
        Err(_) => vec!["connection.yaml".to_string()],
    };
    let unreadable = match fs::read_to_string(case.join("setup")) {
        Ok(setup) => apply_setup(work.path(), &setup),
        Err(_) => Vec::new(),
    };

    let mut command = provision_command(!unreadable.is_empty());
    command
        .current_dir(work.path())
        .arg("validate")
        .args(&args)
        .env("NO_COLOR", "1");
    let output = command.output().expect("run provision");
    for path in &unreadable {
        set_mode(path, 0o755);
    }

    let stderr = String::from_utf8(output.stderr).expect("stderr is UTF-8");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let expected_path = case.join("expected.stderr");
    if std::env::var_os("PROVISION_BLESS").is_some() {
        fs::write(&expected_path, &stderr).expect("write expected.stderr");
    }
    let expected = fs::read_to_string(&expected_path)
        .unwrap_or_else(|_| panic!("missing {}", expected_path.display()));
    assert_eq!(
        stderr,
        expected,
        "stderr of `provision validate {}` in case {name}",
        args.join(" ")
    );
    assert_eq!(stdout, "", "stdout of case {name}");
    assert_eq!(output.status.code(), Some(1), "exit code of case {name}");
}

fn copy_inputs(from: &Path, to: &Path) {
    for entry in fs::read_dir(from).expect("readable case folder") {
        let entry = entry.expect("readable entry");
        let name = entry.file_name();
        if CASE_FILES.iter().any(|skip| name == *skip) {
            continue;
        }
        copy_tree(&entry.path(), &to.join(name));
    }
}

fn copy_tree(from: &Path, to: &Path) {
    if from.is_dir() {
        fs::create_dir_all(to).expect("create folder");
        for entry in fs::read_dir(from).expect("readable folder") {
            let entry = entry.expect("readable entry");
            copy_tree(&entry.path(), &to.join(entry.file_name()));
        }
    } else {
        fs::copy(from, to).expect("copy file");
    }
}

/// Makes symbolic links, named pipes and unreadable paths; returns the unreadable ones.
fn apply_setup(work: &Path, setup: &str) -> Vec<PathBuf> {
    let mut unreadable = Vec::new();
    for line in setup.lines().filter(|line| !line.trim().is_empty()) {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["symlink", link, target] => {
                std::os::unix::fs::symlink(target, work.join(link)).expect("create symlink");
            }
            ["fifo", path] => {
                let status = Command::new("mkfifo")
                    .arg(work.join(path))
                    .status()
                    .expect("run mkfifo");
                assert!(status.success(), "mkfifo {path}");
            }
            ["unreadable", path] => {
                let path = work.join(path);
                set_mode(&path, 0o000);
                unreadable.push(path);
            }
            _ => panic!("unknown setup line `{line}`"),
        }
    }
    unreadable
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).expect("chmod");
}

/// The binary, run so that permissions apply to it. Root (as in the CI container) reads any
/// file whatever its mode, through the capabilities CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH;
/// `setpriv` drops them from the bounding set, so the run is as an ordinary user's would be.
fn provision_command(needs_permissions: bool) -> Command {
    let binary = env!("CARGO_BIN_EXE_provision");
    if needs_permissions && permissions_are_bypassed() {
        let mut command = Command::new("setpriv");
        command
            .arg("--bounding-set=-dac_override,-dac_read_search")
            .arg(binary);
        command
    } else {
        Command::new(binary)
    }
}

/// True when this process can read a file of mode 000.
fn permissions_are_bypassed() -> bool {
    let probe = tempfile::NamedTempFile::new().expect("temporary file");
    set_mode(probe.path(), 0o000);
    fs::File::open(probe.path()).is_ok()
}
