//! What users read: the exact text of a plan, and JSON that says the same as the text.

use super::{acme_yaml, world_with_examples};
use crate::support::json::{
    Action, ApplySummary, Command, ErrorDocument, Kind, Outcome, PlanDocument, Problem, Summary,
};

/// A plan with a create, an update (field change and removal) and an in-sync connection.
fn mixed_plan_world() -> crate::support::World {
    let mut world = world_with_examples();
    world.provision(&["apply", "connections/"]).expect(0);
    let edited = acme_yaml()
        .replace("Acme production org", "Acme production org (orders)")
        .replace("  query:\n    source: eventbridge\n", "");
    world.write("connections/acme.yaml", &edited);
    world.secret_env("GLOBEX_SECRET", "globex-secret-value-2718");
    world.write(
        "connections/globex.yaml",
        "name: sf-globex\nsalesforce:\n  tokenUrl: https://globex.my.salesforce.com/services/oauth2/token\nclientId: 3MVG9globex\nclientSecret: { env: GLOBEX_SECRET }\n",
    );
    world
}

#[test]
fn diff_text_is_exact() {
    let world = mixed_plan_world();
    insta::assert_snapshot!(world.test(&["diff", "connections/"]).transcript(), @r#"
    exit status: 2
    ----- stdout -----
    3 connections in us-east-1

    ~ update   sf-acme-prod  us-east-1
          ~ description: "Acme production org [managed by provision]" -> "Acme production org (orders) [managed by provision]"
          - invocation.query.source: "eventbridge" (removed)

    + create   sf-globex     us-east-1
          + description: "[managed by provision]"
          + tokenUrl: "https://globex.my.salesforce.com/services/oauth2/token"
          + httpMethod: "POST"
          + clientId: "3MVG9globex"
          + clientSecret: (secret)
          + oauth.body.grant_type: "client_credentials"

    = in sync  sf-acme-uat   us-east-1  (AUTHORIZED, client secret in sync)

    Plan: 1 to create, 1 to update, 0 to delete, 1 in sync.
    ----- stderr -----
    "#);
}

#[test]
fn json_output_parses_and_matches_the_text_plan() {
    let world = mixed_plan_world();
    let text = world
        .test(&["diff", "connections/"])
        .status(2)
        .stdout_text();
    let json: PlanDocument = world
        .test(&["diff", "connections/", "--output", "json"])
        .status(2)
        .stdout_json();
    assert_eq!(json.version, 2);
    assert_eq!(json.command, Command::Diff);
    assert!(json.differences);
    assert_eq!(
        json.summary,
        Summary {
            create: 1,
            update: 1,
            in_sync: 1,
            ..Summary::default()
        }
    );
    assert_eq!(json.connections.len(), 3);
    for connection in &json.connections {
        assert_eq!(connection.kind, Kind::Connection, "{connection:?}");
        assert_eq!(connection.region, "us-east-1", "{connection:?}");
        let name = &connection.name;
        let label = match connection.action {
            Action::Create => "create  ",
            Action::Update => "update  ",
            Action::InSync => "in sync ",
            other => panic!("unexpected action {other:?}"),
        };
        assert!(
            text.contains(&format!("{label} {name}")),
            "text lacks {label} {name}:\n{text}"
        );
        for change in &connection.changes {
            let field = &change.field;
            assert!(
                text.contains(&format!(" {field}: ")),
                "text lacks field {field}"
            );
            for (side, value) in [("before", &change.before), ("after", &change.after)] {
                if let Some(value) = value.as_deref().filter(|v| *v != "(secret)") {
                    assert!(
                        text.contains(&format!("{value:?}")),
                        "text lacks {side} value {value:?} of {field}"
                    );
                }
            }
        }
    }
}

#[test]
fn exit_codes_are_an_api() {
    let world = mixed_plan_world();
    world.provision(&["diff", "connections/"]).expect(2);
    world.provision(&["apply", "connections/"]).expect(0);
    world.provision(&["diff", "connections/"]).expect(0);
    // A usage error is 1, never clap's 2 (which would read as "differences").
    world.provision(&["diff", "--no-such-flag"]).expect(1);
    world.provision(&["diff", "missing-folder/"]).expect(1);
}

#[test]
fn colour_only_on_a_terminal_and_never_with_no_color() {
    let world = mixed_plan_world();
    let piped = world.provision(&["diff", "connections/"]);
    assert!(!piped.stdout.contains('\x1b'), "no colour when piped");
    let terminal = world.provision_on_terminal(&["diff", "connections/"], &[]);
    assert!(
        terminal
            .stdout
            .contains("\x1b[33m~ update   sf-acme-prod  us-east-1\x1b[0m"),
        "{:?}",
        terminal.stdout
    );
    assert!(
        terminal
            .stdout
            .contains("\x1b[32m+ create   sf-globex     us-east-1\x1b[0m"),
        "{:?}",
        terminal.stdout
    );
    let no_color = world.provision_on_terminal(&["diff", "connections/"], &[("NO_COLOR", "1")]);
    assert!(
        no_color.stdout.contains("~ update   sf-acme-prod"),
        "{:?}",
        no_color.stdout
    );
    // The terminal also shows the progress bar, which erases its line with `ESC [2K`: that is
    // not colour. No colour (SGR) sequence may appear.
    assert_eq!(
        colour_sequences(&no_color.stdout),
        Vec::<String>::new(),
        "{:?}",
        no_color.stdout
    );
}

#[test]
fn colour_follows_the_color_flag_clicolor_force_no_color_and_term_dumb() {
    let mut world = mixed_plan_world();
    let update = "\x1b[33m~ update   sf-acme-prod  us-east-1\x1b[0m";

    // A dumb terminal cannot take colour or a progress bar: not one escape code, even in CI
    // (where anstream alone would colour it).
    for extra in [&[("TERM", "dumb")][..], &[("TERM", "dumb"), ("CI", "true")]] {
        let dumb = world.provision_on_terminal(&["diff", "connections/"], extra);
        assert_eq!(dumb.code, 2, "{extra:?}: {}", dumb.stdout);
        assert!(
            dumb.stdout.contains("~ update   sf-acme-prod"),
            "{:?}",
            dumb.stdout
        );
        assert!(
            !dumb.stdout.contains('\x1b'),
            "{extra:?}: {:?}",
            dumb.stdout
        );
    }

    // --color never on a terminal: no colour; --color always through a pipe: colour.
    let never = world.provision_on_terminal(&["diff", "connections/", "--color", "never"], &[]);
    assert_eq!(
        colour_sequences(&never.stdout),
        Vec::<String>::new(),
        "{:?}",
        never.stdout
    );
    let always = world.provision(&["diff", "connections/", "--color", "always"]);
    assert!(always.stdout.contains(update), "{:?}", always.stdout);
    // JSON is never coloured, whatever is asked.
    let json = world.provision(&["diff", "connections/", "--color", "always", "-o", "json"]);
    assert!(!json.stdout.contains('\x1b'), "{:?}", json.stdout);
    json.document::<PlanDocument>();

    // CLICOLOR_FORCE colours a pipe; NO_COLOR still wins over it.
    world.env("CLICOLOR_FORCE", "1");
    let forced = world.provision(&["diff", "connections/"]);
    assert!(forced.stdout.contains(update), "{:?}", forced.stdout);
    world.env("NO_COLOR", "1");
    let no_color = world.provision(&["diff", "connections/"]);
    assert!(!no_color.stdout.contains('\x1b'), "{:?}", no_color.stdout);
}

/// The colour and style (SGR: `ESC [ ... m`) sequences in `text`.
fn colour_sequences(text: &str) -> Vec<String> {
    text.split('\x1b')
        .skip(1)
        .filter_map(|rest| {
            let body = rest.strip_prefix('[')?;
            let end = body.find(|c: char| !(c.is_ascii_digit() || c == ';'))?;
            (body[end..].starts_with('m')).then(|| format!("ESC[{}m", &body[..end]))
        })
        .collect()
}

#[test]
fn a_closed_stdout_does_not_change_the_exit_code() {
    // `provision diff | head -1` in a CI script: the reader goes away early.
    let world = mixed_plan_world();
    let diff = world.provision_with_stdout_closed(&["diff", "connections/"]);
    assert_eq!(diff.code, 2, "differences stay exit 2:\n{}", diff.stderr);
    assert_eq!(diff.stderr, "", "a closed pipe is a quiet end");
    world.provision(&["apply", "connections/"]).expect(0);
    let in_sync = world.provision_with_stdout_closed(&["diff", "connections/"]);
    assert_eq!(in_sync.code, 0, "{}", in_sync.stderr);
}

#[test]
fn apply_json_names_the_kind_and_place_of_every_entry_and_result() {
    let world = mixed_plan_world();
    let json: PlanDocument = world
        .test(&["apply", "connections/", "--output", "json"])
        .stdout_json();
    assert_eq!(json.version, 2);
    assert_eq!(json.command, Command::Apply);
    assert_eq!(json.regions, ["us-east-1"]);
    let results = json.results();
    assert_eq!((json.connections.len(), results.len()), (3, 3));
    // The place is the caller's account (GetCallerIdentity) and the Region.
    let places = json
        .connections
        .iter()
        .map(|e| (e.kind, e.account.as_str(), e.region.as_str()))
        .chain(
            results
                .iter()
                .map(|r| (r.kind, r.account.as_str(), r.region.as_str())),
        );
    for place in places {
        assert_eq!(
            place,
            (
                Kind::Connection,
                crate::support::EMULATOR_ACCOUNT,
                "us-east-1"
            )
        );
    }
    let outcomes: Vec<(&str, Outcome)> = results
        .iter()
        .map(|r| (r.name.as_str(), r.outcome))
        .collect();
    assert_eq!(
        outcomes,
        [
            ("sf-acme-prod", Outcome::Updated),
            ("sf-globex", Outcome::Created),
            ("sf-acme-uat", Outcome::Unchanged)
        ]
    );
    assert_eq!(
        json.apply_summary(),
        &ApplySummary {
            created: 1,
            updated: 1,
            unchanged: 1,
            ..ApplySummary::default()
        }
    );
}

#[test]
fn diff_markdown_is_exact() {
    let world = mixed_plan_world();
    let diff = world
        .test(&["diff", "connections/", "--output", "markdown"])
        .status(2)
        .stdout_text();
    insta::assert_snapshot!("diff_markdown", diff);
}

#[test]
fn apply_markdown_is_exact() {
    let world = mixed_plan_world();
    let apply = world
        .test(&["apply", "connections/", "--output", "markdown"])
        .stdout_text();
    insta::assert_snapshot!("apply_markdown", apply);
}

#[test]
fn quiet_prints_errors_only_and_keeps_exit_codes_and_documents() {
    let world = mixed_plan_world();
    world.test(&["diff", "connections/", "-q"]).status(2).run();
    // JSON still prints its document.
    let json: PlanDocument = world
        .test(&["diff", "connections/", "--quiet", "--output", "json"])
        .status(2)
        .stdout_json();
    assert!(json.differences);
    world.test(&["apply", "connections/", "-q"]).run();
    world.test(&["diff", "connections/", "-q"]).run();
    // Errors still print.
    world.write("connections/broken.yaml", "name: sf-broken\n");
    world
        .test(&["diff", "connections/", "-q"])
        .status(1)
        .stderr_contains("missing required key `salesforce`")
        .run();
    // -q and -v contradict each other.
    world.provision(&["diff", "-q", "-v"]).expect(1);
}

#[test]
fn a_progress_bar_on_a_terminal_only() {
    let world = mixed_plan_world();
    let terminal = world.provision_on_terminal(&["diff", "connections/"], &[("NO_COLOR", "1")]);
    assert_eq!(terminal.code, 2, "{}", terminal.stdout);
    // stdout and stderr share the terminal: the bar is drawn, then cleared before the plan.
    assert!(
        terminal.stdout.contains("provision: read [") && terminal.stdout.contains("/3 connections"),
        "{:?}",
        terminal.stdout
    );
    assert!(
        terminal
            .stdout
            .contains("Plan: 1 to create, 1 to update, 0 to delete, 1 in sync.")
    );
    let quiet = world.provision_on_terminal(&["diff", "connections/", "-q"], &[]);
    assert_eq!(quiet.code, 2);
    assert_eq!(quiet.stdout, "", "nothing but errors with -q");
    // Not a terminal: nothing on stderr at all.
    let piped = world.provision(&["apply", "connections/"]);
    piped.expect(0);
    assert_eq!(piped.stderr, "");
}

#[test]
fn diff_markdown_shows_secret_drift_and_health_with_the_hint() {
    let mut world = super::world_with_examples();
    world.provision(&["apply", "connections/"]).expect(0);
    super::secret_drift::rotate_in_console(&mut world, "sf-acme-prod", "pasted-in-console-4242");
    world.emulator.set_state(
        "sf-acme-uat",
        "DEAUTHORIZED",
        "Token refresh failed: invalid_grant: expired access/refresh token",
    );
    let diff = world.provision(&["diff", "connections/", "--output", "markdown"]);
    diff.expect(2);
    insta::assert_snapshot!("diff_markdown_drift_and_health", diff.stdout);
}

/// A problem found while planning (a secret that cannot be read) keeps its file, line, field
/// and help apart in JSON, as input problems do, instead of one joined string.
#[test]
fn an_error_found_at_diff_time_keeps_its_place_and_help_in_json() {
    let world = crate::support::World::new();
    world.write(
        "connections/unset.yaml",
        "name: sf-unset\nsalesforce:\n  myDomain: acme\nclientId: 3MVG9unset\nclientSecret: { env: PROVISION_TEST_NEVER_SET }\n",
    );
    let json: PlanDocument = world
        .test(&["diff", "connections/", "--output", "json"])
        .status(1)
        .stderr_contains("error: 1 of 1 connections failed")
        .stdout_json();
    let entry = &json.connections[0];
    assert_eq!(entry.action, Action::Error, "{entry:?}");
    let problem = &entry.problems[0];
    assert_eq!(problem.file.as_deref(), Some("connections/unset.yaml"));
    assert_eq!(problem.line, Some(5));
    assert_eq!(problem.field.as_deref(), Some("clientSecret"));
    assert!(
        problem
            .message
            .contains("PROVISION_TEST_NEVER_SET is not set"),
        "{problem:?}"
    );
    assert!(
        problem
            .help
            .as_deref()
            .is_some_and(|help| help.contains("export PROVISION_TEST_NEVER_SET")),
        "{problem:?}"
    );
}

/// Input that cannot be read stops the run before AWS with the error document: each problem
/// with its file, line, column, field, message and help as keys of their own, and the same
/// problem on stderr for a person.
#[test]
fn invalid_input_in_json_is_the_error_document_with_each_problem_in_place() {
    let world = crate::support::World::new();
    world.write(
        "connections/typo.yaml",
        "name: sf-typo\nsalesforce:\n  myDomain: acme\nclientId: 3MVG9typo\nclientSecret: { env: TYPO_SECRET }\ninvocaton:\n  query: {}\n",
    );
    let document: ErrorDocument = world
        .test(&["diff", "connections/", "--output", "json"])
        .status(1)
        .stderr("error: connections/typo.yaml:6:1: invocaton: unknown key `invocaton`\n  help: did you mean `invocation`?\n")
        .stdout_json();
    assert_eq!(document.version, 2);
    assert_eq!(document.error, "invalid input");
    assert_eq!(
        document.problems,
        [Problem {
            file: Some("connections/typo.yaml".to_string()),
            line: Some(6),
            column: Some(1),
            field: Some("invocaton".to_string()),
            message: "unknown key `invocaton`".to_string(),
            help: Some("did you mean `invocation`?".to_string()),
        }]
    );
}
