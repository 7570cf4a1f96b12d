//! The credential rotation of `rotate-credentials` as plain data: the steps, and a pure
//! function that decides the next one from what Salesforce and AWS show.
//!
//! Why it is a function of what is seen, not a script: a rotation can stop anywhere (SIGINT,
//! SIGTERM, a lost answer), and there is no state file. Each step is followed by a fresh look
//! at Salesforce (is a credential staged? which one is primary?) and at AWS (what the
//! referenced secrets hold, whether the connections match them), and [`next`] picks the step
//! that finishes the rotation, or rolls it back, from there. The next run does exactly the
//! same, so it picks up where the last one stopped.

use serde::Serialize;

/// What the referenced secret(s) hold, compared with Salesforce's credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) enum Stored {
    /// The primary credential, in every secret and Region.
    Primary,
    /// The staged credential, in every secret and Region.
    Staged,
    /// Something else (an old credential, a mix, a missing secret).
    Other,
}

/// Everything the next step depends on: what is seen now, and what this run already learned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Facts {
    /// Salesforce has a staged credential for the app.
    pub(crate) staged: bool,
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
}

/// One step of a rotation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Step {
    /// Stage a new credential in Salesforce.
    Stage,
    /// Ask the token endpoint whether the staged credential already gets a token.
    CheckStaged,
    /// Write the staged credential as a new version of the referenced secret(s).
    StoreStaged,
    /// Re-send what the secrets hold to every connection using them; wait until AUTHORIZED.
    UpdateConnections,
    /// Make the staged credential primary in Salesforce (no way back after this).
    Promote,
    /// Write the primary credential into the referenced secret(s): after a promotion, or to
    /// roll back (the old version made current again).
    StorePrimary,
    /// Ask the token endpoint for a token with the primary credential.
    CheckPrimary,
    /// Delete the staged credential (rolling back).
    DeleteStaged,
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
            Step::Promote => "make the staged credential primary in Salesforce",
            Step::StorePrimary => "write the primary credential into the referenced secret(s)",
            Step::CheckPrimary => "ask the token endpoint for a token with the primary credential",
            Step::DeleteStaged => "delete the staged credential in Salesforce",
        }
    }

    /// Whether a failure of this step comes after the point of no return (nothing is staged
    /// any more: the new credential is primary), so it is finished by re-running, not rolled
    /// back. A failed promotion rolls back: if it took all the same (a lost answer), the next
    /// look shows it, and the rollback ends with the new credential carried instead.
    pub(crate) fn after_promotion(self, facts: &Facts) -> bool {
        self != Step::Promote && !facts.staged && !facts.rolling_back
    }
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
        } else if facts.staged {
            Ok(Step::DeleteStaged)
        } else {
            Err(Ending::RolledBack)
        };
    }
    if !facts.staged {
        // Nothing staged: AWS must carry the primary (after a promotion, possibly by an
        // earlier run), and then either this run is done or a new rotation starts.
        return if facts.stored != Stored::Primary {
            Ok(Step::StorePrimary)
        } else if resend {
            Ok(Step::UpdateConnections)
        } else if facts.moved_forward && !facts.primary_checked {
            Ok(Step::CheckPrimary)
        } else if facts.moved_forward {
            Err(Ending::Rotated)
        } else {
            Ok(Step::Stage)
        };
    }
    match facts.stored {
        // A secret holding neither: bring AWS back to the working primary first.
        Stored::Other => Ok(Step::StorePrimary),
        Stored::Primary if resend => Ok(Step::UpdateConnections),
        Stored::Primary => match facts.staged_gets_token {
            None => Ok(Step::CheckStaged),
            Some(true) => Ok(Step::StoreStaged),
            // Salesforce honours it only once primary: promote, then carry it at once.
            Some(false) => Ok(Step::Promote),
        },
        Stored::Staged if resend => Ok(Step::UpdateConnections),
        Stored::Staged => Ok(Step::Promote),
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
        match step {
            Step::Stage => facts.staged = true,
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
                // The staged credential is the primary now; the secret still holds the
                // credential it held, which is the primary only if it was the staged one.
                facts.stored = match facts.stored {
                    Stored::Staged => Stored::Primary,
                    _ => Stored::Other,
                };
                facts.staged = false;
                facts.moved_forward = true;
            }
            Step::StorePrimary => {
                facts.stored = Stored::Primary;
                facts.connections_in_sync = false;
                facts.synced = false;
            }
            Step::CheckPrimary => facts.primary_checked = true,
            Step::DeleteStaged => facts.staged = false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Nothing staged, the primary stored and in use: where every rotation starts.
    fn at_rest() -> Facts {
        Facts {
            staged: false,
            stored: Stored::Primary,
            connections_in_sync: true,
            synced: false,
            staged_gets_token: None,
            rolling_back: false,
            moved_forward: false,
            primary_checked: false,
        }
    }

    #[test]
    fn a_staged_credential_that_gets_a_token_is_carried_to_aws_before_it_is_made_primary() {
        let (steps, ending) = forecast(at_rest(), true);
        assert_eq!(
            steps,
            [
                Step::Stage,
                Step::CheckStaged,
                Step::StoreStaged,
                Step::UpdateConnections,
                Step::Promote,
                Step::CheckPrimary,
            ]
        );
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
            staged: true,
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
        // Stopped after a promotion Salesforce honoured before AWS had it: carry it.
        let promoted = Facts {
            stored: Stored::Other,
            ..at_rest()
        };
        assert_eq!(next(&promoted), Ok(Step::StorePrimary));
        // Stopped after storing it: the connections.
        let carried = Facts {
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
            staged: true,
            connections_in_sync: false,
            synced: true,
            ..at_rest()
        };
        assert_eq!(next(&unverifiable), Ok(Step::Promote));
    }

    #[test]
    fn only_steps_once_nothing_is_staged_are_past_the_point_of_no_return() {
        let staged = Facts {
            staged: true,
            ..at_rest()
        };
        assert!(!Step::StoreStaged.after_promotion(&staged));
        assert!(!Step::UpdateConnections.after_promotion(&staged));
        assert!(!Step::Promote.after_promotion(&staged));
        assert!(Step::StorePrimary.after_promotion(&at_rest()));
        let rolling_back = Facts {
            rolling_back: true,
            ..at_rest()
        };
        assert!(!Step::UpdateConnections.after_promotion(&rolling_back));
    }
}
