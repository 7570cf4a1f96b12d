//! The credential rotation of `rotate-credentials` as plain data: the steps, and a pure
//! function that decides the next one from what Salesforce and AWS show.
//!
//! Why it is a function of what is seen, not a script: a rotation can stop anywhere (SIGINT,
//! SIGTERM, a lost answer), and there is no state file. Each step is followed by a fresh look
//! at Salesforce (what occupies the app's staged slot, and in which state; which credential is
//! primary) and at AWS (what the referenced secrets hold, whether the connections match them),
//! and [`next`] picks the step that finishes the rotation, or rolls it back, from there. The
//! next run does exactly the same, so it picks up where the last one stopped.
//!
//! The staged slot decides, by its entry's state (Salesforce's Connect REST reference and the
//! public callers of the API): an `Active` entry is the candidate (carried to AWS, checked,
//! promoted); a `Rotated` entry is the PREVIOUS primary, which keeps getting tokens until it is
//! deleted or about 30 days pass (it is never stored or promoted; with the primary stored and
//! in use, it means the last rotation finished); an `Expired` entry is deleted before staging
//! again. The slot holds one entry, and staging needs it empty.

use serde::Serialize;

/// What occupies the app's staged slot in Salesforce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) enum Slot {
    Empty,
    /// A new credential, not primary yet.
    Active,
    /// The previous primary, still getting tokens until deleted or expired.
    Rotated,
    /// A staged credential past its 30 days.
    Expired,
}

/// What the referenced secret(s) hold, compared with Salesforce's credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) enum Stored {
    /// The primary credential, in every secret and Region.
    Primary,
    /// The `Active` staged credential, in every secret and Region.
    Staged,
    /// The `Rotated` entry (the previous primary), in every secret and Region.
    Previous,
    /// Something else (an old credential, a mix, a missing secret).
    Other,
}

/// Everything the next step depends on: what is seen now, and what this run already learned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Facts {
    pub(crate) slot: Slot,
    /// The `Active` entry's key and secret are known (a listing may leave the secret out; the
    /// answer of this run's POST carries it).
    pub(crate) candidate_known: bool,
    pub(crate) stored: Stored,
    /// Every connection using the references matches what they hold, and is healthy.
    pub(crate) connections_in_sync: bool,
    /// This run re-sent the stored credential to the connections since it last changed it
    /// (so a difference that remains is not one a re-send can mend).
    pub(crate) synced: bool,
    /// What this run's token request with the staged credential answered.
    pub(crate) staged_gets_token: Option<bool>,
    /// This run is rolling back: a step before promotion failed.
    pub(crate) rolling_back: bool,
    /// This run made the staged credential primary, or carried a new primary to AWS.
    pub(crate) moved_forward: bool,
    /// This run checked a token with the primary credential after moving forward.
    pub(crate) primary_checked: bool,
    /// `--revoke-previous`: delete the `Rotated` entry once everything is on the new credential.
    pub(crate) revoke_previous: bool,
}

impl Facts {
    /// What a run starting now would see and know: nothing learned yet.
    pub(crate) fn fresh(self) -> Facts {
        Facts {
            synced: false,
            staged_gets_token: None,
            rolling_back: false,
            moved_forward: false,
            primary_checked: false,
            ..self
        }
    }
}

/// One step of a rotation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Step {
    /// Stage a new credential in Salesforce (the slot must be empty).
    Stage,
    /// Ask the token endpoint whether the staged credential already gets a token.
    CheckStaged,
    /// Write the staged credential as a new version of the referenced secret(s).
    StoreStaged,
    /// Re-send what the secrets hold to every connection using them; wait until AUTHORIZED.
    UpdateConnections,
    /// Make the `Active` staged credential primary (the rotate command); the former primary
    /// stays in the slot as `Rotated`, still getting tokens.
    Promote,
    /// Write the primary credential into the referenced secret(s): after a promotion, or to
    /// roll back (the old version made current again).
    StorePrimary,
    /// Ask the token endpoint for a token with the primary credential.
    CheckPrimary,
    /// Delete an `Active` staged credential (rolling back) or an `Expired` one (to stage again).
    DeleteStaged,
    /// Delete the `Rotated` entry: the previous credential stops getting tokens at once.
    RevokePrevious,
}

impl Step {
    /// The step's name in every output (and in the test hook).
    pub(crate) fn name(self) -> &'static str {
        match self {
            Step::Stage => "stage",
            Step::CheckStaged => "check-staged",
            Step::StoreStaged => "store-staged",
            Step::UpdateConnections => "update-connections",
            Step::Promote => "promote",
            Step::StorePrimary => "store-primary",
            Step::CheckPrimary => "check-primary",
            Step::DeleteStaged => "delete-staged",
            Step::RevokePrevious => "revoke-previous",
        }
    }

    /// What the step does, for people.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Step::Stage => "stage a new credential in Salesforce",
            Step::CheckStaged => {
                "ask the token endpoint whether the staged credential gets a token"
            }
            Step::StoreStaged => {
                "write the staged credential as a new version of the referenced secret(s)"
            }
            Step::UpdateConnections => {
                "re-send the stored credential to every connection using it, and wait until each is AUTHORIZED"
            }
            Step::Promote => {
                "make the staged credential primary in Salesforce (the former primary stays valid as the Rotated entry)"
            }
            Step::StorePrimary => "write the primary credential into the referenced secret(s)",
            Step::CheckPrimary => "ask the token endpoint for a token with the primary credential",
            Step::DeleteStaged => "delete the staged credential in Salesforce",
            Step::RevokePrevious => {
                "delete the Rotated entry in Salesforce: the previous credential stops getting tokens at once"
            }
        }
    }

    /// Whether this step, done while not rolling back, carries the new primary forward: the
    /// promotion itself, or bringing AWS to the primary once no candidate is staged.
    pub(crate) fn carries_forward(self, facts: &Facts) -> bool {
        !facts.rolling_back
            && (self == Step::Promote
                || (matches!(self, Step::StorePrimary | Step::UpdateConnections)
                    && matches!(facts.slot, Slot::Empty | Slot::Rotated)))
    }

    /// What a failure of this step means.
    pub(crate) fn on_failure(self, facts: &Facts) -> OnFailure {
        match self {
            // Staging, checking, deleting what occupies the slot change neither the primary nor
            // AWS: there is nothing to undo (a rollback's own deletion is not judged here).
            Step::Stage | Step::CheckStaged | Step::DeleteStaged | Step::RevokePrevious => {
                OnFailure::Stop
            }
            // A failed promotion rolls back: if it took all the same (a lost answer), the next
            // look shows it, and the rollback ends with the new credential carried instead.
            Step::Promote => OnFailure::RollBack,
            _ if facts.slot == Slot::Active => OnFailure::RollBack,
            _ => OnFailure::Finish,
        }
    }
}

/// What a failed step leaves to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OnFailure {
    /// Nothing to undo: stop and say what holds.
    Stop,
    /// Before the promotion: bring everything back to the primary, delete the candidate.
    RollBack,
    /// After it: the new credential is primary; a re-run finishes.
    Finish,
}

/// How a rotation ended, when [`next`] has nothing more to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) enum Ending {
    /// The new credential is primary, stored, and every connection uses it.
    Rotated,
    /// The rotation was undone: the old credential is primary, stored and in use everywhere.
    RolledBack,
}

/// The next step, or how the rotation ended. Pure.
pub(crate) fn next(facts: &Facts) -> Result<Step, Ending> {
    let resend = !facts.connections_in_sync && !facts.synced;
    if facts.rolling_back {
        return if facts.stored != Stored::Primary {
            Ok(Step::StorePrimary)
        } else if resend {
            Ok(Step::UpdateConnections)
        } else if facts.slot == Slot::Active {
            Ok(Step::DeleteStaged)
        } else {
            Err(Ending::RolledBack)
        };
    }
    match facts.slot {
        // It gets no tokens; staging needs the slot empty.
        Slot::Expired => Ok(Step::DeleteStaged),
        // A candidate whose secret no answer gives any more cannot be carried: cancel it and
        // stage again, once AWS is on the primary.
        Slot::Active if !facts.candidate_known => {
            if facts.stored != Stored::Primary {
                Ok(Step::StorePrimary)
            } else if resend {
                Ok(Step::UpdateConnections)
            } else {
                Ok(Step::DeleteStaged)
            }
        }
        Slot::Active => match facts.stored {
            // A secret holding neither: bring AWS back to the working primary first.
            Stored::Other | Stored::Previous => Ok(Step::StorePrimary),
            Stored::Primary | Stored::Staged if resend => Ok(Step::UpdateConnections),
            Stored::Primary => match facts.staged_gets_token {
                None => Ok(Step::CheckStaged),
                Some(true) => Ok(Step::StoreStaged),
                // Salesforce honours it only once primary: promote, then carry it at once.
                Some(false) => Ok(Step::Promote),
            },
            Stored::Staged => Ok(Step::Promote),
        },
        // No candidate: AWS must carry the primary (after a promotion, possibly by an earlier
        // run; never the Rotated entry), then this run is done, or a new rotation starts.
        Slot::Empty | Slot::Rotated => {
            if facts.stored != Stored::Primary {
                Ok(Step::StorePrimary)
            } else if resend {
                Ok(Step::UpdateConnections)
            } else if facts.moved_forward && !facts.primary_checked {
                Ok(Step::CheckPrimary)
            } else if facts.moved_forward {
                if facts.slot == Slot::Rotated && facts.revoke_previous {
                    Ok(Step::RevokePrevious)
                } else {
                    Err(Ending::Rotated)
                }
            } else if facts.slot == Slot::Rotated {
                // The last rotation finished: a new one needs the slot empty.
                Ok(Step::RevokePrevious)
            } else {
                Ok(Step::Stage)
            }
        }
    }
}

/// The steps a run would take from `facts` if every step did what it should (and the staged
/// credential gets a token or not, as given): what `--dry-run` lists. Pure.
pub(crate) fn forecast(facts: Facts, staged_gets_token: bool) -> (Vec<Step>, Ending) {
    simulate(facts, staged_gets_token, false)
}

/// Plays a rotation against an imagined world: each step changes `facts` as the real one
/// would (`refuse_update`: AWS refuses the staged credential), until [`next`] ends it.
fn simulate(mut facts: Facts, staged_gets_token: bool, refuse_update: bool) -> (Vec<Step>, Ending) {
    let mut steps = Vec::new();
    loop {
        let step = match next(&facts) {
            Ok(step) => step,
            Err(ending) => return (steps, ending),
        };
        steps.push(step);
        assert!(steps.len() < 20, "a rotation ends: {steps:?}");
        let forward = step.carries_forward(&facts);
        match step {
            Step::Stage => {
                facts.slot = Slot::Active;
                facts.candidate_known = true;
            }
            Step::CheckStaged => facts.staged_gets_token = Some(staged_gets_token),
            Step::StoreStaged => {
                facts.stored = Stored::Staged;
                facts.connections_in_sync = false;
                facts.synced = false;
            }
            Step::UpdateConnections if refuse_update && facts.stored == Stored::Staged => {
                facts.rolling_back = true;
            }
            Step::UpdateConnections => {
                facts.connections_in_sync = true;
                facts.synced = true;
            }
            Step::Promote => {
                // The staged credential is the primary now and the former primary is the
                // Rotated entry; the secret still holds what it held.
                facts.stored = match facts.stored {
                    Stored::Staged => Stored::Primary,
                    Stored::Primary => Stored::Previous,
                    _ => Stored::Other,
                };
                facts.slot = Slot::Rotated;
            }
            Step::StorePrimary => {
                facts.stored = Stored::Primary;
                facts.connections_in_sync = false;
                facts.synced = false;
            }
            Step::CheckPrimary => facts.primary_checked = true,
            Step::DeleteStaged | Step::RevokePrevious => facts.slot = Slot::Empty,
        }
        facts.moved_forward |= forward;
    }
}

/// What holds now, for people: Salesforce's primary and staged slot, what the secrets hold,
/// whether the connections match, and what a new run would do. Pure; `changed` says whether
/// the primary is another credential than when the run began (a Rotated entry says so too),
/// `until` is the slot entry's `expirationDate`, `differing` the connections that do not match
/// the secrets.
pub(crate) fn standing(
    facts: &Facts,
    changed: bool,
    until: Option<&str>,
    differing: &[String],
) -> String {
    // A Rotated entry means a promotion happened, in this run or an earlier one.
    let primary = if changed || facts.slot == Slot::Rotated {
        "the new credential is primary in Salesforce"
    } else {
        "Salesforce's primary credential is unchanged"
    };
    let slot = match (facts.slot, until) {
        (Slot::Empty, _) => "nothing is staged".to_string(),
        (Slot::Active, Some(date)) => {
            format!("a new credential is staged (Active, not primary; valid until {date})")
        }
        (Slot::Active, None) => "a new credential is staged (Active, not primary)".to_string(),
        (Slot::Rotated, Some(date)) => format!(
            "the previous credential is the Rotated staged entry and still gets tokens until {date}"
        ),
        (Slot::Rotated, None) => {
            "the previous credential is the Rotated staged entry and still gets tokens".to_string()
        }
        (Slot::Expired, _) => "an expired staged credential occupies the slot".to_string(),
    };
    let stored = match facts.stored {
        Stored::Primary => "the referenced secrets hold the primary",
        Stored::Staged => "the referenced secrets hold the staged credential",
        Stored::Previous => "the referenced secrets hold the previous (Rotated) credential",
        Stored::Other => "the referenced secrets do not all hold one of Salesforce's credentials",
    };
    let connections = if differing.is_empty() {
        "every connection using them matches them".to_string()
    } else {
        format!(
            "{} differ{} from them",
            differing.join(", "),
            if differing.len() == 1 { "s" } else { "" }
        )
    };
    let (steps, _) = forecast(facts.fresh(), true);
    let names: Vec<&str> = steps.iter().map(|step| step.name()).collect();
    let again = if names.is_empty() {
        "nothing is left to do".to_string()
    } else {
        format!("a new run would: {}", names.join(", "))
    };
    format!("{primary}; {slot}; {stored}; {connections}; {again}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Nothing staged, the primary stored and in use: where the first rotation starts.
    fn at_rest() -> Facts {
        Facts {
            slot: Slot::Empty,
            candidate_known: true,
            stored: Stored::Primary,
            connections_in_sync: true,
            synced: false,
            staged_gets_token: None,
            rolling_back: false,
            moved_forward: false,
            primary_checked: false,
            revoke_previous: false,
        }
    }

    const TOKEN_FIRST: [Step; 6] = [
        Step::Stage,
        Step::CheckStaged,
        Step::StoreStaged,
        Step::UpdateConnections,
        Step::Promote,
        Step::CheckPrimary,
    ];

    #[test]
    fn a_staged_credential_that_gets_a_token_is_carried_to_aws_before_it_is_made_primary() {
        let (steps, ending) = forecast(at_rest(), true);
        assert_eq!(steps, TOKEN_FIRST);
        assert_eq!(ending, Ending::Rotated);
    }

    #[test]
    fn a_staged_credential_salesforce_honours_only_once_primary_is_promoted_then_carried() {
        let (steps, ending) = forecast(at_rest(), false);
        assert_eq!(
            steps,
            [
                Step::Stage,
                Step::CheckStaged,
                Step::Promote,
                Step::StorePrimary,
                Step::UpdateConnections,
                Step::CheckPrimary,
            ]
        );
        assert_eq!(ending, Ending::Rotated);
    }

    #[test]
    fn revoke_previous_deletes_the_rotated_entry_last() {
        let revoking = Facts {
            revoke_previous: true,
            ..at_rest()
        };
        for gets_token in [true, false] {
            let (steps, ending) = forecast(revoking, gets_token);
            assert_eq!(steps.last(), Some(&Step::RevokePrevious), "{steps:?}");
            assert_eq!(ending, Ending::Rotated);
        }
    }

    #[test]
    fn after_a_finished_rotation_a_run_starts_a_new_one_by_emptying_the_slot() {
        let finished = Facts {
            slot: Slot::Rotated,
            ..at_rest()
        };
        let (steps, _) = forecast(finished, true);
        assert_eq!(steps[0], Step::RevokePrevious);
        assert_eq!(steps[1..], TOKEN_FIRST);
    }

    #[test]
    fn an_expired_staged_credential_is_deleted_before_staging_again() {
        let expired = Facts {
            slot: Slot::Expired,
            ..at_rest()
        };
        let (steps, _) = forecast(expired, true);
        assert_eq!(steps[0], Step::DeleteStaged);
        assert_eq!(steps[1..], TOKEN_FIRST);
    }

    /// Whatever the start, no step stores or promotes the Rotated entry: a secret holding it
    /// gets the primary written over it, and a run ends with the primary everywhere.
    #[test]
    fn the_rotated_entry_is_never_stored_nor_promoted() {
        let holding_previous = Facts {
            slot: Slot::Rotated,
            stored: Stored::Previous,
            ..at_rest()
        };
        let (steps, ending) = forecast(holding_previous, true);
        assert_eq!(
            steps,
            [
                Step::StorePrimary,
                Step::UpdateConnections,
                Step::CheckPrimary
            ]
        );
        assert_eq!(ending, Ending::Rotated);
        // Whatever this run knows, the Rotated entry is never the one stored or promoted.
        let bools = [false, true];
        for stored in [
            Stored::Primary,
            Stored::Staged,
            Stored::Previous,
            Stored::Other,
        ] {
            for (in_sync, synced, rolling_back, moved_forward, checked, revoke) in bools
                .iter()
                .flat_map(|a| bools.iter().map(move |b| (*a, *b)))
                .flat_map(|(a, b)| bools.iter().map(move |c| (a, b, *c)))
                .flat_map(|(a, b, c)| bools.iter().map(move |d| (a, b, c, *d)))
                .flat_map(|(a, b, c, d)| bools.iter().map(move |e| (a, b, c, d, *e)))
                .flat_map(|(a, b, c, d, e)| bools.iter().map(move |f| (a, b, c, d, e, *f)))
            {
                for staged_gets_token in [None, Some(true), Some(false)] {
                    let facts = Facts {
                        slot: Slot::Rotated,
                        candidate_known: true,
                        stored,
                        connections_in_sync: in_sync,
                        synced,
                        staged_gets_token,
                        rolling_back,
                        moved_forward,
                        primary_checked: checked,
                        revoke_previous: revoke,
                    };
                    let step = next(&facts);
                    assert!(
                        !matches!(
                            step,
                            Ok(Step::StoreStaged | Step::Promote | Step::CheckStaged)
                        ),
                        "{facts:?}: {step:?}"
                    );
                }
            }
        }
        // And from every starting point, a run ends rotated.
        for slot in [Slot::Empty, Slot::Active, Slot::Rotated, Slot::Expired] {
            for stored in [
                Stored::Primary,
                Stored::Staged,
                Stored::Previous,
                Stored::Other,
            ] {
                for (in_sync, known) in bools.iter().flat_map(|a| bools.map(|b| (*a, b))) {
                    let start = Facts {
                        slot,
                        stored,
                        connections_in_sync: in_sync,
                        candidate_known: known,
                        ..at_rest()
                    };
                    for gets_token in bools {
                        let (steps, ending) = forecast(start, gets_token);
                        assert_eq!(ending, Ending::Rotated, "{start:?}: {steps:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn a_candidate_whose_secret_is_no_longer_given_is_cancelled_and_staged_again() {
        let unknown = Facts {
            slot: Slot::Active,
            candidate_known: false,
            ..at_rest()
        };
        let (steps, ending) = forecast(unknown, true);
        assert_eq!(steps[0], Step::DeleteStaged);
        assert_eq!(steps[1..], TOKEN_FIRST);
        assert_eq!(ending, Ending::Rotated);
        let stored_elsewhere = Facts {
            stored: Stored::Other,
            ..unknown
        };
        assert_eq!(
            forecast(stored_elsewhere, true).0[..3],
            [
                Step::StorePrimary,
                Step::UpdateConnections,
                Step::DeleteStaged
            ]
        );
    }

    #[test]
    fn a_refused_connection_update_rolls_everything_back() {
        let (steps, ending) = simulate(at_rest(), true, true);
        assert_eq!(
            steps,
            [
                Step::Stage,
                Step::CheckStaged,
                Step::StoreStaged,
                Step::UpdateConnections,
                Step::StorePrimary,
                Step::UpdateConnections,
                Step::DeleteStaged,
            ]
        );
        assert_eq!(ending, Ending::RolledBack);
    }

    #[test]
    fn a_run_after_an_interruption_continues_from_what_it_sees() {
        // Stopped after staging: ask the token endpoint, as a first run would.
        let staged = Facts {
            slot: Slot::Active,
            ..at_rest()
        };
        assert_eq!(next(&staged), Ok(Step::CheckStaged));
        // Stopped after storing the staged credential: the connections first.
        let stored = Facts {
            stored: Stored::Staged,
            connections_in_sync: false,
            ..staged
        };
        assert_eq!(next(&stored), Ok(Step::UpdateConnections));
        // Stopped after updating them: promote.
        let updated = Facts {
            connections_in_sync: true,
            ..stored
        };
        assert_eq!(next(&updated), Ok(Step::Promote));
        // Stopped after a promotion Salesforce honoured before AWS had it: carry the primary,
        // never the Rotated entry the secret still holds.
        let promoted = Facts {
            slot: Slot::Rotated,
            stored: Stored::Previous,
            ..at_rest()
        };
        assert_eq!(next(&promoted), Ok(Step::StorePrimary));
        // Stopped after storing it: the connections.
        let carried = Facts {
            slot: Slot::Rotated,
            connections_in_sync: false,
            ..at_rest()
        };
        assert_eq!(next(&carried), Ok(Step::UpdateConnections));
        // A half-written secret with a credential staged: back to the working primary.
        let mixed = Facts {
            stored: Stored::Other,
            ..staged
        };
        assert_eq!(next(&mixed), Ok(Step::StorePrimary));
    }

    #[test]
    fn a_difference_a_re_send_did_not_mend_is_not_re_sent_forever() {
        let unverifiable = Facts {
            stored: Stored::Staged,
            slot: Slot::Active,
            connections_in_sync: false,
            synced: true,
            ..at_rest()
        };
        assert_eq!(next(&unverifiable), Ok(Step::Promote));
    }

    #[test]
    fn a_failure_before_the_promotion_rolls_back_and_staging_changes_nothing() {
        // Issue: a failed stage (HTTP 400, a time-out) was taken to be past the point of no
        // return, while the old credential was still primary.
        assert_eq!(Step::Stage.on_failure(&at_rest()), OnFailure::Stop);
        let staged = Facts {
            slot: Slot::Active,
            ..at_rest()
        };
        assert_eq!(Step::StoreStaged.on_failure(&staged), OnFailure::RollBack);
        assert_eq!(
            Step::UpdateConnections.on_failure(&staged),
            OnFailure::RollBack
        );
        assert_eq!(Step::Promote.on_failure(&staged), OnFailure::RollBack);
        let promoted = Facts {
            slot: Slot::Rotated,
            stored: Stored::Previous,
            ..at_rest()
        };
        assert_eq!(Step::StorePrimary.on_failure(&promoted), OnFailure::Finish);
        assert_eq!(Step::RevokePrevious.on_failure(&promoted), OnFailure::Stop);
        let expired = Facts {
            slot: Slot::Expired,
            ..at_rest()
        };
        assert_eq!(Step::DeleteStaged.on_failure(&expired), OnFailure::Stop);
    }

    #[test]
    fn the_standing_after_a_failed_stage_says_the_primary_is_unchanged() {
        let text = standing(&at_rest(), false, None, &[]);
        assert_eq!(
            text,
            "Salesforce's primary credential is unchanged; nothing is staged; the referenced secrets hold the primary; every connection using them matches them; a new run would: stage, check-staged, store-staged, update-connections, promote, check-primary"
        );
        let staged = Facts {
            slot: Slot::Active,
            ..at_rest()
        };
        let text = standing(&staged, false, Some("2026-12-01T10:00:00.000Z"), &[]);
        assert!(
            text.contains("Salesforce's primary credential is unchanged; a new credential is staged (Active, not primary; valid until 2026-12-01T10:00:00.000Z)")
                && text.ends_with("a new run would: check-staged, store-staged, update-connections, promote, check-primary"),
            "{text}"
        );
        assert!(!text.contains("no way back"));
        // A promotion an earlier run made (its Rotated entry is there) is said as such.
        let promoted = Facts {
            slot: Slot::Rotated,
            stored: Stored::Previous,
            ..at_rest()
        };
        let text = standing(&promoted, false, None, &[]);
        assert!(
            text.starts_with("the new credential is primary in Salesforce; the previous credential is the Rotated staged entry and still gets tokens; the referenced secrets hold the previous (Rotated) credential;")
                && text.ends_with("a new run would: store-primary, update-connections, check-primary"),
            "{text}"
        );
    }
}
