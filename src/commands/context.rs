//! What the commands that plan share: the run's [`Session`] with the AWS context of each of
//! its Regions, and reading the plan of all of them at once.

use crate::config::Settings;
use crate::coverage::Coverage;
use crate::engine::interrupt::Interrupt;
use crate::engine::session::{Account, Scope, Session};
use crate::engine::{self, Context};
use crate::error::{Error, Problem};
use crate::log::Log;
use crate::manifest::{self, ConnectionSpec};
use crate::plan::connection::PlanOptions;
use crate::plan::{LeftOut, Plan, TargetName, UnreadPlace};
use crate::project::Project;
use crate::resolve::SecretResolver;
use futures::StreamExt;

pub(super) fn load_specs(settings: &Settings) -> Result<Vec<ConnectionSpec>, Error> {
    manifest::load::load_with(&settings.paths, &settings.rules)
}

/// `--prune` deletes what the files do not declare in a Region, so which Region a document
/// belongs to must come from the files (`regions:`, the project file's `defaultRegion`, or its
/// targets' Regions), never from AWS_REGION, the profile or the order of `--region` flags.
/// Checked before any call. Pure.
pub(super) fn check_prune_regions(
    specs: &[ConnectionSpec],
    project: &Project,
) -> Result<(), Error> {
    if project.default_region.is_some() || !project.targets.is_empty() {
        return Ok(());
    }
    let problems: Vec<Problem> = specs
        .iter()
        .filter(|spec| spec.regions.is_none())
        .map(|spec| {
            Problem::new(format!(
                "--prune needs every document's Region pinned by the files: connection `{}` declares no `regions:` and no project file names a `defaultRegion`, so its Region would come from AWS_REGION, the profile or the first --region; nothing was sent to AWS",
                spec.name
            ))
            .at(spec.origin.clone())
            .help("add `defaultRegion: <region>` to provision.yaml (next to `set:`), or `regions: [<region>]` to this document")
        })
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Input(problems))
    }
}

/// Everything a run needs in AWS: its session (coverage, account, clients) and one context per
/// place.
pub(super) struct Run<'a> {
    pub(super) session: Session<'a>,
    pub(super) contexts: Vec<Context>,
    /// The project file the run used, for the outputs that name it.
    project_file: Option<String>,
}

impl<'a> Run<'a> {
    /// Opens the session of `specs` (the caller's account asked as `account` says) and the
    /// context of each of its Regions.
    pub(super) async fn new(
        settings: &'a Settings,
        specs: &[ConnectionSpec],
        interrupt: &Interrupt,
        account: Account<'_>,
    ) -> Result<Self, Error> {
        let session = Session::open(settings, Scope::Placed(specs), account).await?;
        let log = Log::new(settings.verbosity, settings.quiet);
        for left in &session.coverage.left_out {
            log.verbose(format!(
                "{} in {}: left out ({})",
                left.name,
                left.covered(),
                left.reason
            ));
        }
        let contexts = contexts(&session, &session.coverage, session.resolver(), interrupt);
        Ok(Run {
            session,
            contexts,
            project_file: settings
                .project
                .file
                .as_ref()
                .map(|file| file.display().to_string()),
        })
    }

    pub(super) fn coverage(&self) -> &Coverage {
        &self.session.coverage
    }

    /// The declared connections wanted in `context`'s place, in the order declared.
    pub(super) fn wanted_in<'s>(
        &self,
        context: &Context,
        specs: &'s [ConnectionSpec],
    ) -> Vec<&'s ConnectionSpec> {
        self.coverage()
            .wanted_in(&self.session.covered_at(&context.place), specs)
    }

    /// Reads live state in every Region at once and plans every declared connection. An
    /// interruption ends the reading (nothing has been changed yet).
    pub(super) async fn read_plan(
        &self,
        specs: &[ConnectionSpec],
        options: &PlanOptions,
        interrupt: &Interrupt,
    ) -> Result<Plan, Error> {
        let plan = read_plan(
            self.session.left_out(),
            self.session.unopened(),
            self.coverage(),
            &self.contexts,
            specs,
            options,
            interrupt,
        )
        .await?;
        Ok(Plan {
            project_file: self.project_file.clone(),
            targets: covered_targets(&self.session, self.coverage()),
            ..plan
        })
    }
}

/// The context of each place `coverage` covers, on the session's clients, reading secrets
/// through `resolver`.
pub(super) fn contexts(
    session: &Session<'_>,
    coverage: &Coverage,
    resolver: &SecretResolver,
    interrupt: &Interrupt,
) -> Vec<Context> {
    coverage
        .places
        .iter()
        .map(|covered| session.context(resolver, covered, interrupt))
        .collect()
}

/// Reads live state in every place of `contexts` (one per place of `coverage`, in its order, as
/// [`contexts`] makes them) at once (at most
/// [`engine::PLACES_IN_FLIGHT`]) and plans the declared connections `coverage` places there,
/// with `left_out` for those it does not cover. A place that cannot be read is recorded in the
/// plan ([`UnreadPlace`]) and the others are planned all the same. An interruption ends the
/// reading (nothing has been changed yet).
pub(crate) async fn read_plan(
    left_out: Vec<LeftOut>,
    unopened: &[UnreadPlace],
    coverage: &Coverage,
    contexts: &[Context],
    specs: &[ConnectionSpec],
    options: &PlanOptions,
    interrupt: &Interrupt,
) -> Result<Plan, Error> {
    let read_all = async {
        // In the run's order, at most PLACES_IN_FLIGHT at once; a place that cannot be read
        // is recorded and the others are read all the same.
        // `contexts` are the coverage's places' ([`contexts`]), in its order.
        debug_assert_eq!(coverage.places.len(), contexts.len());
        let covered = coverage.places.iter().zip(contexts);
        let per_place: Vec<_> = futures::stream::iter(covered.map(|(covered, context)| {
            let wanted: Vec<ConnectionSpec> = coverage
                .wanted_in(covered, specs)
                .into_iter()
                .cloned()
                .collect();
            async move {
                // A place whose account could not be opened is not called at all.
                let read = match unopened.iter().find(|u| u.place == context.place) {
                    Some(unread) => Err(unread.clone()),
                    None => engine::read::plan(context, &wanted, options)
                        .await
                        .map_err(|error| {
                            let (message, help) = error.message_and_help();
                            UnreadPlace::new(context.place.clone(), message, help)
                        }),
                };
                (context, wanted, read)
            }
        }))
        .buffered(engine::PLACES_IN_FLIGHT)
        .collect()
        .await;
        let mut plan = Plan {
            places: contexts
                .iter()
                .map(|context| context.place.clone())
                .collect(),
            left_out,
            ..Plan::default()
        };
        for (context, wanted, read) in per_place {
            match read {
                Ok(region) => {
                    plan.steps.extend(region.steps);
                    plan.orphans.extend(region.orphans);
                    plan.unrouted.extend(region.unrouted);
                }
                Err(unread) => {
                    // On stderr too, whatever the output format: the cause of exit 1.
                    context.log.warn(format!(
                        "account {} in {} could not be read: {}; the other places carry on",
                        context.place.account, context.place.region, unread.error
                    ));
                    plan.steps.extend(unread.steps(&wanted));
                    plan.unread.push(unread);
                }
            }
        }
        plan
    };
    tokio::select! {
        plan = read_all => Ok(plan),
        () = interrupt.raised() => Err(Error::Interrupted {
            signal: interrupt.signal().unwrap_or(crate::engine::interrupt::Signal::Interrupt),
            done: "nothing was changed".to_string(),
        }),
    }
}

/// The targets `coverage` covers, each once with its account, in the run's order (none when
/// the project file lists no targets).
fn covered_targets(session: &Session<'_>, coverage: &Coverage) -> Vec<TargetName> {
    let mut targets: Vec<TargetName> = Vec::new();
    for name in coverage
        .places
        .iter()
        .filter_map(|covered| covered.target.as_deref())
    {
        if !targets.iter().any(|target| target.name == name) {
            targets.push(TargetName {
                name: name.to_string(),
                account: session.account_of(Some(name)).to_string(),
            });
        }
    }
    targets
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::tests::specs;

    const TWO: &str = "name: a\nsalesforce: { myDomain: acme }\nclientId: x\nclientSecret: { env: S }\nregions: [eu-west-1, us-east-1]\n---\nname: b\nsalesforce: { myDomain: acme }\nclientId: x\nclientSecret: { env: S }\n";

    #[test]
    fn prune_refuses_documents_whose_region_the_environment_would_choose() {
        let error = check_prune_regions(&specs(TWO), &Project::default()).unwrap_err();
        let Error::Input(problems) = error else {
            panic!("{error}")
        };
        assert_eq!(problems.len(), 1, "only b lacks regions");
        assert!(
            problems[0]
                .message
                .as_str()
                .contains("connection `b` declares no `regions:`"),
            "{}",
            problems[0]
        );
        let pinned = Project {
            default_region: Some("eu-west-1".into()),
            ..Project::default()
        };
        assert!(check_prune_regions(&specs(TWO), &pinned).is_ok());
        // With targets, every document's Regions are its targets': pinned by the files.
        let placed = Project {
            targets: vec![crate::tests::target("prod", "111111111111", &["eu-west-1"])],
            ..Project::default()
        };
        assert!(check_prune_regions(&specs(TWO), &placed).is_ok());
    }
}
