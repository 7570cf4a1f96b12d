//! The plan: plain data saying, per resource, what `apply` would do and why.
//!
//! [`connection`] and [`destination`] build it from desired and live state without I/O. It has two faces:
//! - [`Entry`], what users read: the action, the changed fields (before and after, secrets as
//!   `(secret)`), the secret drift and the health. Every view renders entries, so text and JSON
//!   never disagree.
//! - the change, what `apply` executes: an enum per kind ([`ConnectionChange`],
//!   [`DestinationChange`]) that carries exactly the state each action needs (a create has no
//!   live resource, an update has both sides), so no illegal combination can reach the engine.
//!
//! A [`Step`] holds both, and its entry is made from its change: the action and the error users
//! read are the change's ([`ResourceChange`]), so the plan cannot show what `apply` will not do.
//!
//! The plan is one ordered list of [`PlanStep`]s, each a step with its change among the kinds
//! ([`Change`]) and the address of its parent (the connection an API destination is declared
//! on). `apply` runs a parent before its children, and the views nest children under their
//! parent, both reading the link ([`Plan::roots`], [`Plan::children`], [`Plan::detached`]).

pub(crate) mod connection;
pub(crate) mod credentials_report;
pub(crate) mod destination;
pub(crate) mod managed_secret;
pub(crate) mod merge;
pub(crate) mod rotation;
pub(crate) mod rotation_report;
pub(crate) mod rule;
pub(crate) mod saved;
pub(crate) mod unread;
pub(crate) mod verify_report;

use crate::live::ConnectionState;
use crate::outside::Outside;
use crate::place::{Address, Place};
use serde::{Deserialize, Serialize};

pub(crate) use crate::place::ResourceKind;

/// What a run needs to tell whose an undeclared resource is, per kind, and when its counts
/// are shown.
impl ResourceKind {
    /// Whether a message counting resources of this kind names it when there are `n`: the
    /// first kind (connections) always, a kind declared on them only when the run has some.
    pub(crate) fn counted_when(self, n: usize) -> bool {
        self == ResourceKind::ALL[0] || n > 0
    }

    /// The IAM action that describes one, and the resources it must be allowed on: what a
    /// run needs to tell whose an undeclared one is.
    pub(crate) fn describe_permission(self) -> (&'static str, &'static str) {
        match self {
            ResourceKind::Connection => (
                crate::aws::actions::events::DESCRIBE_CONNECTION,
                "connection/*",
            ),
            ResourceKind::ApiDestination => (
                crate::aws::actions::events::DESCRIBE_API_DESTINATION,
                "api-destination/* and connection/*",
            ),
            ResourceKind::Rule => (crate::aws::actions::events::DESCRIBE_RULE, "rule/*"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Action {
    Create,
    Update,
    /// Exists without this set's marker; `--adopt` takes it over (an update adding the marker).
    Adopt,
    /// Exists without this set's marker, and `--adopt` was not given: `apply` leaves it alone.
    NotManaged,
    /// Delete and create again (`--replace`): what cannot change in place.
    Replace,
    /// One of this set's connections that no file declares (`--prune`).
    Delete,
    InSync,
    /// A difference `apply` will not make, and says why (an orphan still used by an API
    /// destination of another set, without `--force`).
    Refused,
    /// The resource could not be planned (a secret could not be read, AWS refused a read).
    Error,
}

impl Action {
    pub(crate) fn label(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Adopt => "adopt",
            Action::NotManaged => "not ours",
            Action::Replace => "replace",
            Action::Delete => "delete",
            Action::InSync => "in sync",
            Action::Refused => "refused",
            Action::Error => "error",
        }
    }

    /// True when the resource differs from what is declared (`diff` exits 2).
    pub(crate) fn is_difference(self) -> bool {
        match self {
            Action::Create
            | Action::Update
            | Action::Adopt
            | Action::NotManaged
            | Action::Replace
            | Action::Delete
            | Action::Refused => true,
            Action::InSync | Action::Error => false,
        }
    }
}

/// One field that differs. Values are as shown to users: secrets are `(secret)`. The field
/// (a parameter's key) and the values are what the YAML or AWS wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct FieldChange {
    pub(crate) field: Outside,
    pub(crate) before: Option<Outside>,
    pub(crate) after: Option<Outside>,
}

/// What the client secret (and secret parameter values) look like against the
/// EventBridge-managed secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub(crate) enum SecretStatus {
    InSync,
    /// The managed secret differs from the declared value in these fields.
    Changed {
        fields: Vec<String>,
    },
    /// It could not be compared; `reason` says why (access denied, no managed secret, ...).
    Unverifiable {
        reason: Outside,
    },
    /// Nothing to compare with: the connection does not exist yet.
    NotApplicable,
}

/// The connection's state in AWS.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Health {
    pub(crate) state: ConnectionState,
    /// AWS's `StateReason`.
    pub(crate) reason: Option<Outside>,
    /// `DEAUTHORIZED` or `FAILED_CONNECTIVITY`: a difference that `apply` heals.
    pub(crate) broken: bool,
    /// For a broken connection: what to check in Salesforce (or the network) if re-sending
    /// the credentials does not heal it (`help` in JSON, as in every document).
    #[serde(rename = "help", alias = "hint")]
    pub(crate) hint: Option<String>,
}

/// One resource of the plan, as users read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Entry {
    /// Its kind, name and place (`kind`, `name`, `account`, `region` in JSON).
    #[serde(flatten)]
    pub(crate) address: Address,
    pub(crate) action: Action,
    pub(crate) changes: Vec<FieldChange>,
    pub(crate) secret: SecretStatus,
    pub(crate) health: Option<Health>,
    /// Why the resource could not be planned, with the file and field at fault (it may quote
    /// AWS or the YAML).
    pub(crate) error: Option<Outside>,
    /// The input problems behind `error`, each with its file, line, field and help (JSON
    /// output keeps them apart).
    #[serde(skip_serializing_if = "Vec::is_empty", skip_deserializing)]
    pub(crate) problems: Vec<crate::error::Problem>,
    /// What users must know about this action: why a connection is not ours, why a change
    /// cannot be made in place, what `apply` will wait for.
    pub(crate) note: Option<String>,
}

/// What `apply` does with a resource of one kind. The change decides the action and the
/// error users read ([`Step::new`] derives them), so what a plan shows is what `apply` does.
pub(crate) trait ResourceChange {
    const KIND: ResourceKind;

    /// The action users read for this change.
    fn action(&self) -> Action;

    /// Why `apply` will not make it, as the plan shows it (`None` when it will, or when the
    /// note says why: a resource not ours).
    fn error(&self) -> Option<&str>;

    /// The change of a resource that could not be planned: `apply` reports `error`.
    fn failed(error: String) -> Self;

    /// Why `apply` will not write it (not ours, refused, not planned), as its result says.
    fn refusal(&self) -> Option<&str>;

    /// This change among the changes of every kind.
    fn into_change(self) -> Change;

    /// The change of this kind that `change` is, if it is one.
    fn of(change: &Change) -> Option<&Self>;
}

/// What a plan needs of a live resource of any kind: whose it is.
pub(crate) trait LiveResource {
    fn name(&self) -> &str;
    fn description(&self) -> Option<&str>;
}

/// What users read of one resource besides what its change decides (the action, the error).
#[derive(Debug, Clone)]
pub(crate) struct Shown {
    pub(crate) name: String,
    pub(crate) place: Place,
    pub(crate) changes: Vec<FieldChange>,
    pub(crate) secret: SecretStatus,
    pub(crate) health: Option<Health>,
    pub(crate) note: Option<String>,
    pub(crate) problems: Vec<crate::error::Problem>,
}

impl Shown {
    /// A resource with nothing to show yet but its name and place.
    pub(crate) fn named(name: &str, place: &Place) -> Self {
        Shown {
            name: name.to_string(),
            place: place.clone(),
            changes: Vec::new(),
            secret: SecretStatus::NotApplicable,
            health: None,
            note: None,
            problems: Vec::new(),
        }
    }
}

/// One resource of the plan: the change `apply` executes, and the entry users read, made from
/// it. Neither can be changed afterwards, so the two cannot disagree.
#[derive(Debug, Clone)]
pub(crate) struct Step<C> {
    entry: Entry,
    change: C,
}

impl<C: ResourceChange> Step<C> {
    pub(crate) fn new(shown: Shown, change: C) -> Self {
        let Shown {
            name,
            place,
            changes,
            secret,
            health,
            note,
            problems,
        } = shown;
        let entry = Entry {
            address: Address::new(C::KIND, name, place),
            action: change.action(),
            changes,
            secret,
            health,
            error: change.error().map(str::to_string).map(Into::into),
            problems,
            note,
        };
        Step { entry, change }
    }

    /// A resource whose declaration could not be resolved (a secret could not be read): the
    /// problems, each with its place in the files. The error is what is wrong, one line per
    /// problem; how to fix each is its help, kept apart (JSON's `problems`, a result's help).
    pub(crate) fn invalid(name: &str, place: &Place, problems: Vec<crate::error::Problem>) -> Self {
        let error = problems
            .iter()
            .map(crate::error::Problem::headline)
            .collect::<Vec<_>>()
            .join("\n");
        let shown = Shown {
            problems,
            ..Shown::named(name, place)
        };
        Step::new(shown, C::failed(error))
    }

    /// A resource that could not be planned.
    pub(crate) fn failed(name: &str, place: &Place, error: String) -> Self {
        Step::new(Shown::named(name, place), C::failed(error))
    }

    pub(crate) fn entry(&self) -> &Entry {
        &self.entry
    }

    pub(crate) fn change(&self) -> &C {
        &self.change
    }

    /// The step in the plan's one list: a root, or a child of the step at `parent` (an API
    /// destination under the connection it is declared on).
    pub(crate) fn under(self, parent: Option<&Address>) -> PlanStep {
        PlanStep {
            parent: parent.cloned(),
            entry: self.entry,
            change: self.change.into_change(),
        }
    }
}

/// A step of one kind, borrowed from the plan: its entry and its change.
#[derive(Debug)]
pub(crate) struct StepOf<'a, C> {
    entry: &'a Entry,
    change: &'a C,
}

impl<C> Clone for StepOf<'_, C> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<C> Copy for StepOf<'_, C> {}

impl<'a, C: ResourceChange> StepOf<'a, C> {
    pub(crate) fn entry(&self) -> &'a Entry {
        self.entry
    }

    pub(crate) fn change(&self) -> &'a C {
        self.change
    }

    /// The result of applying it, with nothing known yet but its outcome.
    pub(crate) fn result(&self, outcome: Outcome) -> ApplyResult {
        ApplyResult::new(self.entry, outcome)
    }

    /// The result of a step `apply` does not write: unchanged when in sync, otherwise failed,
    /// saying why.
    pub(crate) fn untouched(&self) -> ApplyResult {
        if self.change.action() == Action::InSync {
            return self.result(Outcome::Unchanged);
        }
        let mut failed = self.result(Outcome::Failed);
        failed.error = self.change.refusal().map(str::to_string).map(Into::into);
        let help: Vec<String> = (self.entry.problems.iter())
            .filter_map(|problem| problem.help.as_ref().map(ToString::to_string))
            .collect();
        failed.hint = (!help.is_empty()).then(|| help.join("\n"));
        failed
    }

    /// The result of a step the run was interrupted (by `signal`) before writing.
    pub(crate) fn not_started(&self, signal: &str) -> ApplyResult {
        let mut skipped = self.result(Outcome::NotStarted);
        skipped.error =
            Some(format!("not written: the run was interrupted ({signal}) first").into());
        skipped
    }
}

pub(crate) use connection::ConnectionChange;
pub(crate) use destination::DestinationChange;
pub(crate) use rule::RuleChange;
pub(crate) use unread::UnreadPlace;

/// An API destination's step.
pub(crate) type DestinationStep = Step<DestinationChange>;

/// What `apply` executes for one step, of whichever kind: the one list of every kind's change.
// Built once and read once: boxing would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub(crate) enum Change {
    Connection(ConnectionChange),
    Destination(DestinationChange),
    Rule(RuleChange),
}

impl Change {
    /// The change of a step of `kind` that has none to make (a saved plan shown): `apply`
    /// would report `error`.
    fn failed(kind: ResourceKind, error: String) -> Self {
        match kind {
            ResourceKind::Connection => ConnectionChange::failed(error).into_change(),
            ResourceKind::ApiDestination => DestinationChange::failed(error).into_change(),
            ResourceKind::Rule => RuleChange::failed(error).into_change(),
        }
    }
}

/// One step of the plan, of any kind: its entry, its change, and the step it is declared on
/// (`parent`), which `apply` runs first. A Region's steps are listed in the order `apply`
/// executes them; a child follows its parent.
#[derive(Debug, Clone)]
pub(crate) struct PlanStep {
    /// The address of the step this one is declared on (an API destination's connection);
    /// `None` for a root (a connection, or an undeclared resource to prune).
    pub(crate) parent: Option<Address>,
    entry: Entry,
    change: Change,
}

impl PlanStep {
    /// The entry of the resource the step is about.
    pub(crate) fn entry(&self) -> &Entry {
        &self.entry
    }

    /// The step, when it is of the kind `C` changes.
    pub(crate) fn of<C: ResourceChange>(&self) -> Option<StepOf<'_, C>> {
        C::of(&self.change).map(|change| StepOf {
            entry: &self.entry,
            change,
        })
    }

    /// A step as a saved plan recorded it, to be shown: the one step whose entry is not made
    /// from its change, because it has none (`apply --plan` plans again and proves the fresh
    /// plan equal instead). Applied, it would do nothing but say so.
    pub(crate) fn recorded(entry: Entry, parent: Option<Address>) -> Self {
        let error = "a saved plan is shown, not applied from here".to_string();
        let change = Change::failed(entry.address.kind, error);
        PlanStep {
            parent,
            entry,
            change,
        }
    }

    /// Whether its kind is declared on another kind (an API destination on a connection)
    /// while the step has no parent: an undeclared resource to prune, shown apart.
    pub(crate) fn is_detached(&self) -> bool {
        self.parent.is_none() && self.entry.address.kind.declared_on().is_some()
    }
}

/// A declared connection that a run does not cover in one Region, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct LeftOut {
    pub(crate) name: String,
    /// Where the run would have had it (`account`, `region` in JSON).
    #[serde(flatten)]
    pub(crate) place: Place,
    pub(crate) reason: String,
}

/// The whole plan of a run: per Region (in the run's order), its steps in the order `apply`
/// executes them (API destinations to prune, then the connections in the order they were
/// declared, then the connections to prune).
#[derive(Debug, Clone, Default)]
pub(crate) struct Plan {
    /// The places the run covers, in the run's order.
    pub(crate) places: Vec<Place>,
    /// Declared connections this run leaves out (`--region` limits it).
    pub(crate) left_out: Vec<LeftOut>,
    /// This set's resources that no file declares, when not pruning (a note, not a
    /// difference: a run over one subfolder is not drift).
    pub(crate) orphans: Vec<Orphan>,
    pub(crate) steps: Vec<PlanStep>,
    /// The declared API destinations that no rule targets, declared or in AWS: "nothing
    /// routes events here", a note, not a difference.
    pub(crate) unrouted: Vec<Address>,
    /// The places that could not be read, in the run's order.
    pub(crate) unread: Vec<UnreadPlace>,
    /// The project file the run used, as given or found.
    pub(crate) project_file: Option<String>,
    /// The project file's targets the run covers, with their accounts (empty without targets).
    pub(crate) targets: Vec<TargetName>,
    /// Runs whose reports `report merge` read that ended in an error before they had a plan
    /// (always empty in a run's own plan).
    pub(crate) failed_runs: Vec<FailedRun>,
}

/// A target of the project file as a plan names it: its name and its account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct TargetName {
    #[serde(rename = "target")]
    pub(crate) name: String,
    pub(crate) account: String,
}

/// One target's part of a plan: its Regions and its counts, in the run summary's words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TargetSummary<'a> {
    /// `target` and `account` in JSON.
    #[serde(flatten)]
    pub(crate) target: &'a TargetName,
    pub(crate) regions: Vec<String>,
    /// The connections' counts, beside the target.
    #[serde(flatten)]
    pub(crate) connections: Summary,
    pub(crate) api_destinations: Summary,
    /// The target's rules' counts, when the run's plan has rules (`ruleSummary`'s part).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) rules: Option<Summary>,
}

/// A run whose report `report merge` read, that ended in an error before it had a plan: the
/// places it should have read are not in the merged plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct FailedRun {
    /// The file its report was read from.
    pub(crate) file: String,
    /// Its error, as its report gave it.
    pub(crate) error: Outside,
    /// How to fix it, as its report gave it.
    pub(crate) help: Option<Outside>,
}

/// One of this set's resources in AWS that no file of the run declares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Orphan {
    /// Its name as AWS's listing gave it (`kind`, `name`, `account`, `region` in JSON).
    #[serde(flatten)]
    pub(crate) address: Address<Outside>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Summary {
    pub(crate) create: usize,
    /// Updates, adoptions included.
    pub(crate) update: usize,
    pub(crate) replace: usize,
    pub(crate) delete: usize,
    pub(crate) not_managed: usize,
    /// Differences `apply` refuses to make (see each entry's error); in JSON only when some.
    #[serde(skip_serializing_if = "is_zero")]
    pub(crate) refused: usize,
    pub(crate) in_sync: usize,
    pub(crate) error: usize,
}

impl Plan {
    /// The target whose account `place` is in, when the run has targets (no two targets share
    /// an account).
    pub(crate) fn target_of(&self, place: &Place) -> Option<&TargetName> {
        self.targets
            .iter()
            .find(|target| target.account == place.account)
    }

    /// Each target's Regions and counts (connections, and API destinations and rules apart),
    /// in the run's order; empty without targets.
    pub(crate) fn target_summaries(&self) -> Vec<TargetSummary<'_>> {
        let has_rules = self.entries_of(ResourceKind::Rule).next().is_some();
        self.targets
            .iter()
            .map(|target| {
                let ours = |e: &&Entry| e.address.place.account == target.account;
                TargetSummary {
                    target,
                    regions: (self.places.iter())
                        .filter(|place| place.account == target.account)
                        .map(|place| place.region.clone())
                        .collect(),
                    connections: summarize(self.entries_of(ResourceKind::Connection).filter(ours)),
                    api_destinations: summarize(
                        self.entries_of(ResourceKind::ApiDestination).filter(ours),
                    ),
                    rules: has_rules
                        .then(|| summarize(self.entries_of(ResourceKind::Rule).filter(ours))),
                }
            })
            .collect()
    }

    /// The Regions of the places the run covers, in the run's order.
    pub(crate) fn regions(&self) -> Vec<String> {
        self.places
            .iter()
            .map(|place| place.region.clone())
            .collect()
    }

    /// The steps that are no other's child, in plan order, leaving out the detached ones
    /// ([`PlanStep::is_detached`]): what the views list first, each with its children.
    pub(crate) fn roots(&self) -> impl Iterator<Item = &PlanStep> {
        self.steps
            .iter()
            .filter(|step| step.parent.is_none() && !step.is_detached())
    }

    /// The steps declared on `parent`, in plan order.
    pub(crate) fn children<'a>(
        &'a self,
        parent: &'a PlanStep,
    ) -> impl Iterator<Item = &'a PlanStep> {
        let address = &parent.entry().address;
        self.steps
            .iter()
            .filter(move |step| step.parent.as_ref() == Some(address))
    }

    /// Undeclared resources of a kind declared on another, to prune: shown apart, after the
    /// roots.
    pub(crate) fn detached(&self) -> impl Iterator<Item = &PlanStep> {
        self.steps.iter().filter(|step| step.is_detached())
    }

    /// Every step in the order the views show them: each root followed by its children, each
    /// child by its own (a rule under its API destination), then the detached ones, each
    /// followed by its children.
    pub(crate) fn shown_order(&self) -> impl Iterator<Item = &PlanStep> {
        let mut order = Vec::with_capacity(self.steps.len());
        for step in self.roots().chain(self.detached()) {
            self.push_with_descendants(step, &mut order);
        }
        order.into_iter()
    }

    /// `step` followed by every step declared on it, and on those, in the order shown.
    pub(crate) fn subtree<'a>(&'a self, step: &'a PlanStep) -> Vec<&'a PlanStep> {
        let mut order = Vec::new();
        self.push_with_descendants(step, &mut order);
        order
    }

    /// `step`, then each of its children with theirs, depth first.
    fn push_with_descendants<'a>(&'a self, step: &'a PlanStep, order: &mut Vec<&'a PlanStep>) {
        order.push(step);
        for child in self.children(step) {
            self.push_with_descendants(child, order);
        }
    }

    /// The connections' steps, in plan order.
    pub(crate) fn connections(&self) -> impl Iterator<Item = StepOf<'_, ConnectionChange>> {
        self.steps.iter().filter_map(PlanStep::of)
    }

    /// The steps of one place, as `apply` executes them there.
    pub(crate) fn in_place(&self, place: &Place) -> Vec<PlanStep> {
        self.steps
            .iter()
            .filter(|step| &step.entry().address.place == place)
            .cloned()
            .collect()
    }

    /// The entries of resources of `kind`, in the order the views show them.
    pub(crate) fn entries_of(&self, kind: ResourceKind) -> impl Iterator<Item = &Entry> {
        self.all_entries().filter(move |e| e.address.kind == kind)
    }

    /// The connections' entries.
    pub(crate) fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.entries_of(ResourceKind::Connection)
    }

    /// Every entry of the plan, of every kind, in the order the views show them.
    pub(crate) fn all_entries(&self) -> impl Iterator<Item = &Entry> {
        self.shown_order().map(PlanStep::entry)
    }

    /// Counts of the actions on resources of `kind`.
    pub(crate) fn summary_of(&self, kind: ResourceKind) -> Summary {
        summarize(self.all_entries().filter(|e| e.address.kind == kind))
    }

    /// Counts of the connections' actions.
    pub(crate) fn summary(&self) -> Summary {
        self.summary_of(ResourceKind::Connection)
    }

    /// Counts of the API destinations' actions.
    pub(crate) fn destination_summary(&self) -> Summary {
        self.summary_of(ResourceKind::ApiDestination)
    }
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

fn summarize<'a>(entries: impl Iterator<Item = &'a Entry>) -> Summary {
    let mut summary = Summary::default();
    for entry in entries {
        match entry.action {
            Action::Create => summary.create += 1,
            Action::Update | Action::Adopt => summary.update += 1,
            Action::Replace => summary.replace += 1,
            Action::Delete => summary.delete += 1,
            Action::NotManaged => summary.not_managed += 1,
            Action::Refused => summary.refused += 1,
            Action::InSync => summary.in_sync += 1,
            Action::Error => summary.error += 1,
        }
    }
    summary
}

impl Plan {
    /// True when `apply` would change something.
    pub(crate) fn has_differences(&self) -> bool {
        self.all_entries().any(|e| e.action.is_difference())
    }

    /// Whether a declared resource is broken (a connection DEAUTHORIZED or
    /// FAILED_CONNECTIVITY: only connections have a health): events to it fail now
    /// (`diff --fail-on unhealthy`). A resource the plan deletes is not declared.
    pub(crate) fn has_broken_connections(&self) -> bool {
        self.all_entries().any(|entry| {
            entry.action != Action::Delete && entry.health.as_ref().is_some_and(|h| h.broken)
        })
    }

    pub(crate) fn has_errors(&self) -> bool {
        !self.unread.is_empty() || self.all_entries().any(|e| e.action == Action::Error)
    }

    /// What could not be planned, counted by kind against the total of that kind ("1 of 3
    /// connections"), or `None` when everything was.
    pub(crate) fn failures(&self) -> Option<String> {
        let count = |kind: ResourceKind| {
            let (failed, total) = self.entries_of(kind).fold((0, 0), |(failed, total), e| {
                (failed + usize::from(e.action == Action::Error), total + 1)
            });
            (kind, failed, total)
        };
        let resources = failures_by_kind(&ResourceKind::ALL.map(count));
        let places = (!self.unread.is_empty())
            .then(|| format!("{} of {} places", self.unread.len(), self.places.len()));
        match (resources, places) {
            (Some(resources), Some(places)) => Some(format!("{resources} and {places}")),
            (resources, places) => resources.or(places),
        }
    }
}

/// What `apply` did with one resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Outcome {
    Created,
    Updated,
    Replaced,
    Deleted,
    Unchanged,
    Failed,
    /// The run was interrupted before this resource was written.
    NotStarted,
    /// Left unwritten on purpose, saying why (an API destination on a connection that is
    /// not this set's): not a failure of its own.
    Skipped,
}

impl Outcome {
    pub(crate) fn label(self) -> &'static str {
        match self {
            Outcome::Created => "created",
            Outcome::Updated => "updated",
            Outcome::Replaced => "replaced",
            Outcome::Deleted => "deleted",
            Outcome::Unchanged => "unchanged",
            Outcome::Failed => "failed",
            Outcome::NotStarted => "not started",
            Outcome::Skipped => "skipped",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ApplyResult {
    /// Its kind, name and place (`kind`, `name`, `account`, `region` in JSON).
    #[serde(flatten)]
    pub(crate) address: Address,
    pub(crate) outcome: Outcome,
    /// The state the connection settled in (or was last seen in).
    pub(crate) state: Option<ConnectionState>,
    /// AWS's `StateReason`.
    pub(crate) state_reason: Option<Outside>,
    /// Why it failed (it may quote AWS or Salesforce).
    pub(crate) error: Option<Outside>,
    /// What to do about it (`help` in JSON, as in every document).
    #[serde(rename = "help")]
    pub(crate) hint: Option<String>,
    /// Fields that still differ after the write (AWS did not take them).
    pub(crate) not_taken: Vec<FieldChange>,
    /// A replace deleted the connection and could not create it again: it is gone until the
    /// next `apply`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub(crate) left_deleted: bool,
}

impl ApplyResult {
    pub(crate) fn new(entry: &Entry, outcome: Outcome) -> Self {
        Self::of(entry.address.clone(), outcome)
    }

    /// The result for one resource, with nothing known yet but its outcome.
    pub(crate) fn of(address: Address, outcome: Outcome) -> Self {
        ApplyResult {
            address,
            outcome,
            state: None,
            state_reason: None,
            error: None,
            hint: None,
            not_taken: Vec::new(),
            left_deleted: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ApplySummary {
    pub(crate) created: usize,
    pub(crate) updated: usize,
    pub(crate) replaced: usize,
    pub(crate) deleted: usize,
    pub(crate) unchanged: usize,
    pub(crate) failed: usize,
    pub(crate) not_started: usize,
    #[serde(skip_serializing_if = "is_zero")]
    pub(crate) skipped: usize,
}

/// Counts of what `apply` did with resources of `kind`.
pub(crate) fn apply_summary_of(results: &[ApplyResult], kind: ResourceKind) -> ApplySummary {
    let mut summary = ApplySummary::default();
    for result in results.iter().filter(|r| r.address.kind == kind) {
        match result.outcome {
            Outcome::Created => summary.created += 1,
            Outcome::Updated => summary.updated += 1,
            Outcome::Replaced => summary.replaced += 1,
            Outcome::Deleted => summary.deleted += 1,
            Outcome::Unchanged => summary.unchanged += 1,
            Outcome::Failed => summary.failed += 1,
            Outcome::NotStarted => summary.not_started += 1,
            Outcome::Skipped => summary.skipped += 1,
        }
    }
    summary
}

/// Counts of what `apply` did with connections.
pub(crate) fn apply_summary(results: &[ApplyResult]) -> ApplySummary {
    apply_summary_of(results, ResourceKind::Connection)
}

/// `n` things, singular or plural: "1 connection", "2 API destinations".
pub(crate) fn counted(n: usize, kind: ResourceKind) -> String {
    let (one, many) = kind.nouns();
    format!("{n} {}", if n == 1 { one } else { many })
}

/// What failed, counted by kind against the total of that kind ("1 of 3 connections and 1 of
/// 2 API destinations"), or `None` when nothing failed. `failed` and `total` are per kind.
pub(crate) fn failures_by_kind(counts: &[(ResourceKind, usize, usize)]) -> Option<String> {
    let parts: Vec<String> = counts
        .iter()
        .filter(|(_, failed, _)| *failed > 0)
        .map(|&(kind, failed, total)| {
            // "1 of 1 connections": the noun counts the whole, read as "of the connections".
            let (_, noun) = kind.nouns();
            format!("{failed} of {total} {noun}")
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join(" and "))
}

/// The failures of an apply, by kind.
pub(crate) fn apply_failures(results: &[ApplyResult]) -> Option<String> {
    let count = |kind: ResourceKind| {
        let of_kind = results.iter().filter(|r| r.address.kind == kind);
        let total = of_kind.clone().count();
        let failed = of_kind.filter(|r| r.outcome == Outcome::Failed).count();
        (kind, failed, total)
    };
    failures_by_kind(&ResourceKind::ALL.map(count))
}

/// The connections a replace left deleted, as `name (region)`.
pub(crate) fn left_deleted(results: &[ApplyResult]) -> Vec<String> {
    results
        .iter()
        .filter(|r| r.left_deleted)
        .map(|r| format!("{} ({})", r.address.name, r.address.place.region))
        .collect()
}

/// What `apply` did, by kind, for the message of an interrupted run: "connections: 1 created,
/// ...; API destinations: ...", naming every connection left deleted.
pub(crate) fn apply_done(results: &[ApplyResult]) -> String {
    let line = |s: ApplySummary| {
        format!(
            "{} created, {} updated, {} replaced, {} deleted, {} failed, {} not started",
            s.created, s.updated, s.replaced, s.deleted, s.failed, s.not_started
        )
    };
    let mut done = ResourceKind::ALL
        .into_iter()
        .filter(|&kind| {
            kind.counted_when(results.iter().filter(|r| r.address.kind == kind).count())
        })
        .map(|kind| {
            let (_, noun) = kind.nouns();
            format!("{noun}: {}", line(apply_summary_of(results, kind)))
        })
        .collect::<Vec<_>>()
        .join("; ");
    let deleted = left_deleted(results);
    if !deleted.is_empty() {
        done.push_str(&format!(
            "; left deleted, not yet created again: {}",
            deleted.join(", ")
        ));
    }
    done
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(kind: ResourceKind, name: &str, outcome: Outcome) -> ApplyResult {
        ApplyResult::of(
            Address::new(kind, name, Place::new("123456789012", "us-east-1")),
            outcome,
        )
    }

    #[test]
    fn failures_are_counted_by_kind() {
        let mut replaced = result(ResourceKind::Connection, "sf-b", Outcome::Failed);
        replaced.left_deleted = true;
        let results = vec![
            result(ResourceKind::Connection, "sf-a", Outcome::Created),
            replaced,
            result(ResourceKind::ApiDestination, "d1", Outcome::Failed),
            result(ResourceKind::ApiDestination, "d2", Outcome::Failed),
            result(ResourceKind::ApiDestination, "d3", Outcome::Updated),
        ];
        assert_eq!(
            apply_failures(&results).as_deref(),
            Some("1 of 2 connections and 2 of 3 API destinations")
        );
        assert_eq!(
            apply_done(&results),
            "connections: 1 created, 0 updated, 0 replaced, 0 deleted, 1 failed, 0 not started; \
             API destinations: 0 created, 1 updated, 0 replaced, 0 deleted, 2 failed, 0 not started; \
             left deleted, not yet created again: sf-b (us-east-1)"
        );
        assert_eq!(apply_failures(&results[..1]), None);
        assert_eq!(
            counted(1, ResourceKind::ApiDestination),
            "1 API destination"
        );
    }
}
