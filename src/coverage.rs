//! The places a run covers, and the declared connections it leaves out, computed once for
//! every command that calls AWS: `diff`, `apply`, `verify`, `iam-policy`, `export`,
//! `salesforce-credentials` and `rotate-credentials`.
//!
//! A place is covered as a [`Covered`]: a Region, of a target of the project file when it lists
//! `targets:`, else of the run's own account. The inputs are the `--region` and `--target`
//! flags, the project file's `defaultRegion` and `targets`, the SDK's Region (AWS_REGION or the
//! profile's) and each document's `regions:` and `targets:`. The rule, in one place:
//! - with targets in the project file, a document is in each Region of each target it names,
//!   its `regions:` narrowing them; without, its Region is its `regions:`, else the default
//!   Region: the project file's `defaultRegion` when it names one, whatever the flags and the
//!   environment say; otherwise the first `--region`, else AWS_REGION or the profile's;
//! - with `--region` flags, the run covers exactly those (in each target that has them), and
//!   `--target` flags only those targets; every place of a document outside them is left out
//!   (and named); without flags, every place a document has.
//!
//! Pure: the SDK's Region is read by the caller.

pub(crate) mod placement;

use crate::config::Settings;
use crate::error::{Error, Problem};
use crate::manifest::ConnectionSpec;
use crate::place::Place;
use crate::plan::LeftOut;
use crate::project::Target;

/// Where a run's places come from.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Sources<'a> {
    /// `--region`, checked and without repeats: the run covers only these.
    pub(crate) flags: &'a [String],
    /// The SDK configuration's Region (AWS_REGION or the profile's, unless the first
    /// `--region` or the project file set it).
    pub(crate) sdk: Option<&'a str>,
    /// The project file's `defaultRegion`.
    pub(crate) pinned: Option<&'a str>,
    /// The project file's `targets` (empty: the run's own account).
    pub(crate) targets: &'a [Target],
    /// `--target`, checked against `targets` and without repeats: the run covers only these.
    pub(crate) target_flags: &'a [String],
}

impl<'a> Sources<'a> {
    /// The sources of the run `settings` describes, with the Region of its SDK configuration.
    pub(crate) fn of(settings: &'a Settings, config: &'a aws_config::SdkConfig) -> Self {
        Sources {
            flags: &settings.regions,
            sdk: config.region().map(|region| region.as_ref()),
            pinned: settings.project.default_region.as_deref(),
            targets: &settings.project.targets,
            target_flags: &settings.targets,
        }
    }

    /// The sources of a command that opens no AWS (`targets`, `iam-policy` with targets): the
    /// `--region` and `--target` flags and the project file's targets, no SDK Region.
    pub(crate) fn offline(settings: &'a Settings) -> Self {
        Sources {
            flags: &settings.regions,
            targets: &settings.project.targets,
            target_flags: &settings.targets,
            ..Sources::default()
        }
    }

    /// The Region of the documents without `regions:`.
    fn default_region(&self) -> Option<&'a str> {
        self.pinned
            .or(self.flags.first().map(String::as_str))
            .or(self.sdk)
    }
}

/// One place a run covers or a document is in: a Region of a target, or of the run's own
/// account (`target: None`, when the project file lists no targets).
///
/// The account is not held here: the session turns a target into its account
/// (`Target.account`, written in the project file, which no two targets share) and `None` into
/// the caller's (`sts:GetCallerIdentity`), so a place of the session ([`Place`]) and a
/// `Covered` name each other one to one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Covered {
    /// The project file's target (its `name`), or `None` for the run's own account.
    pub(crate) target: Option<String>,
    pub(crate) region: String,
}

impl Covered {
    /// A Region of the run's own account.
    pub(crate) fn region(region: impl Into<String>) -> Self {
        Covered {
            target: None,
            region: region.into(),
        }
    }

    /// A Region of the target named `target`.
    pub(crate) fn of_target(target: impl Into<String>, region: impl Into<String>) -> Self {
        Covered {
            target: Some(target.into()),
            region: region.into(),
        }
    }
}

/// `eu-west-1`, or `prod/eu-west-1` in a target.
impl std::fmt::Display for Covered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.target {
            Some(target) => write!(f, "{target}/{}", self.region),
            None => f.write_str(&self.region),
        }
    }
}

/// A declared connection the run does not cover in one place, and why: a [`LeftOut`] once
/// the run knows the place's account ([`Uncovered::placed`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Uncovered {
    pub(crate) name: String,
    /// The target of the place left out (`None`: the run's own account).
    pub(crate) target: Option<String>,
    pub(crate) region: String,
    pub(crate) reason: String,
}

impl Uncovered {
    /// What the run reports: the connection left out in `account` (the place's: its target's,
    /// or the caller's) and the Region.
    pub(crate) fn placed(&self, account: &str) -> LeftOut {
        LeftOut {
            name: self.name.clone(),
            place: Place::new(account, self.region.clone()),
            reason: self.reason.clone(),
        }
    }

    /// The place left out.
    pub(crate) fn covered(&self) -> Covered {
        Covered {
            target: self.target.clone(),
            region: self.region.clone(),
        }
    }
}

/// The places of a run and what it leaves out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Coverage {
    /// In the order the run reports them. Without targets: the flags' Regions, else the
    /// declared ones with the default Region where the first document without `regions:` comes.
    /// With targets: in the order of the project file's targets, each in the order of its
    /// `regions:` (or of the `--region` flags).
    pub(crate) places: Vec<Covered>,
    pub(crate) left_out: Vec<Uncovered>,
    /// The Region of the documents without `regions:` (it may be outside the run when
    /// `--region` narrows it); unused with targets.
    pub(crate) default_region: Option<String>,
    /// The project file's targets (empty: the run's own account).
    targets: Vec<Target>,
}

impl Coverage {
    /// The coverage of a run over `specs`, every one of which must have a place.
    pub(crate) fn of(specs: &[ConnectionSpec], sources: &Sources) -> Result<Self, Error> {
        if sources.targets.is_empty()
            && sources.default_region().is_none()
            && let Some(spec) = specs.iter().find(|spec| spec.regions.is_none())
        {
            return Err(Error::input(
                Problem::new(format!(
                    "no AWS Region for connection `{}`: it declares no `regions:`, and neither --region, AWS_REGION nor the profile names one",
                    spec.name
                ))
                .at(spec.origin.clone())
                .help("add `defaultRegion: us-east-1` to provision.yaml, list `regions:` in the file, or pass --region us-east-1 (or set AWS_REGION)"),
            ));
        }
        Ok(Self::allowing_unplaced(specs, sources))
    }

    /// The coverage of a run over `specs` where a document without any place is in none
    /// ([`Coverage::places_of`] is empty), for the commands that report it per document.
    pub(crate) fn allowing_unplaced(specs: &[ConnectionSpec], sources: &Sources) -> Self {
        let default = sources.default_region();
        let mut coverage = Coverage {
            places: Vec::new(),
            left_out: Vec::new(),
            default_region: default.map(str::to_string),
            targets: sources.targets.to_vec(),
        };
        let add = |place: Covered, places: &mut Vec<Covered>| {
            if !places.contains(&place) {
                places.push(place);
            }
        };
        // With --region, the run covers exactly those Regions (of each target it covers that
        // has them), whether or not a document is there.
        for flag in sources.flags {
            if sources.targets.is_empty() {
                add(Covered::region(flag), &mut coverage.places);
            }
            for target in sources.targets {
                if target.regions.contains(flag) && chosen(&target.name, sources.target_flags) {
                    add(Covered::of_target(&target.name, flag), &mut coverage.places);
                }
            }
        }
        for spec in specs {
            for place in coverage.wanted(spec) {
                let reason = match &place.target {
                    Some(target) if !chosen(target, sources.target_flags) => {
                        Some(format!("{target} is not among the --target flags"))
                    }
                    _ if !sources.flags.is_empty() && !sources.flags.contains(&place.region) => {
                        Some(format!("{} is not among the --region flags", place.region))
                    }
                    _ => None,
                };
                match reason {
                    Some(reason) => coverage.left_out.push(Uncovered {
                        name: spec.name.clone(),
                        target: place.target.clone(),
                        region: place.region.clone(),
                        reason,
                    }),
                    None if sources.flags.is_empty() => add(place, &mut coverage.places),
                    None => {}
                }
            }
        }
        if !sources.targets.is_empty() {
            let rank = |place: &Covered| {
                let target = sources
                    .targets
                    .iter()
                    .position(|t| place.target.as_deref() == Some(t.name.as_str()));
                let order = if sources.flags.is_empty() {
                    target.and_then(|t| {
                        sources.targets[t]
                            .regions
                            .iter()
                            .position(|r| *r == place.region)
                    })
                } else {
                    sources.flags.iter().position(|r| *r == place.region)
                };
                (target, order)
            };
            coverage.places.sort_by_key(rank);
        }
        coverage
    }

    /// The coverage of `export`, which reads no file: the `--region` flags, else the default
    /// Region, in the run's own account.
    pub(crate) fn for_export(sources: &Sources) -> Result<Self, Error> {
        let default = sources.default_region();
        let regions = if sources.flags.is_empty() {
            let region = default.ok_or_else(|| {
                Error::input(
                    Problem::new("no AWS Region to export from")
                        .help("pass --region us-east-1 (repeatable), or set AWS_REGION"),
                )
            })?;
            vec![region.to_string()]
        } else {
            sources.flags.to_vec()
        };
        Ok(Coverage {
            places: regions.into_iter().map(Covered::region).collect(),
            left_out: Vec::new(),
            default_region: default.map(str::to_string),
            targets: Vec::new(),
        })
    }

    /// The Regions of the run's places, each once, in the order of the places (what outputs
    /// that list Regions name).
    pub(crate) fn regions(&self) -> Vec<String> {
        let mut regions: Vec<String> = Vec::new();
        for place in &self.places {
            if !regions.contains(&place.region) {
                regions.push(place.region.clone());
            }
        }
        regions
    }

    /// The declared connections wanted in `place`, in the order declared.
    pub(crate) fn wanted_in<'a>(
        &self,
        place: &Covered,
        specs: &'a [ConnectionSpec],
    ) -> Vec<&'a ConnectionSpec> {
        specs
            .iter()
            .filter(|spec| self.wanted(spec).contains(place))
            .collect()
    }

    /// The places of the run `spec` (one of the documents the coverage is of) is wanted in, in
    /// the order it declares them.
    pub(crate) fn places_of(&self, spec: &ConnectionSpec) -> Vec<Covered> {
        self.wanted(spec)
            .into_iter()
            .filter(|place| self.places.contains(place))
            .collect()
    }

    /// The Regions of [`Coverage::places_of`], each once: what the commands that work in the
    /// run's own account (`salesforce-credentials`, `rotate-credentials`) carry a credential to.
    pub(crate) fn regions_of(&self, spec: &ConnectionSpec) -> Vec<String> {
        let mut regions: Vec<String> = Vec::new();
        for place in self.places_of(spec) {
            if !regions.contains(&place.region) {
                regions.push(place.region);
            }
        }
        regions
    }

    /// The places `spec` is in that the run does not cover (`--region` or `--target` leaves
    /// them out).
    pub(crate) fn outside(&self, spec: &ConnectionSpec) -> Vec<Covered> {
        self.wanted(spec)
            .into_iter()
            .filter(|place| !self.places.contains(place))
            .collect()
    }

    /// The places a document is in: with targets, each Region of each target it names (its
    /// `regions:` narrowing them); without, its `regions:`, else the default Region, else none.
    fn wanted(&self, spec: &ConnectionSpec) -> Vec<Covered> {
        if self.targets.is_empty() {
            return match (&spec.regions, &self.default_region) {
                (Some(declared), _) => declared.iter().map(Covered::region).collect(),
                (None, Some(default)) => vec![Covered::region(default)],
                (None, None) => Vec::new(),
            };
        }
        let named = spec.targets.iter().flatten();
        named
            .filter_map(|name| self.targets.iter().find(|target| target.name == *name))
            .flat_map(|target| {
                target
                    .regions
                    .iter()
                    .filter(|region| {
                        spec.regions
                            .as_ref()
                            .is_none_or(|declared| declared.contains(region))
                    })
                    .map(|region| Covered::of_target(&target.name, region))
            })
            .collect()
    }
}

/// Whether `--target` keeps the target `name` in the run (every target, without the flag).
fn chosen(name: &str, flags: &[String]) -> bool {
    flags.is_empty() || flags.iter().any(|flag| flag == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::tests::{specs, target};

    const TWO: &str = "name: a\nsalesforce: { myDomain: acme }\nclientId: x\nclientSecret: { env: S }\nregions: [eu-west-1, us-east-1]\n---\nname: b\nsalesforce: { myDomain: acme }\nclientId: x\nclientSecret: { env: S }\n";

    fn sources<'a>(
        flags: &'a [String],
        sdk: Option<&'a str>,
        pinned: Option<&'a str>,
    ) -> Sources<'a> {
        Sources {
            flags,
            sdk,
            pinned,
            ..Sources::default()
        }
    }

    fn at(region: &str) -> Covered {
        Covered::region(region)
    }

    fn names(specs: Vec<&ConnectionSpec>) -> Vec<&str> {
        specs.iter().map(|s| s.name.as_str()).collect()
    }

    #[test]
    fn without_flags_a_run_covers_the_default_and_every_declared_region() {
        let declared = specs(TWO);
        let coverage = Coverage::of(&declared, &sources(&[], Some("us-west-2"), None)).unwrap();
        assert_eq!(coverage.regions(), ["eu-west-1", "us-east-1", "us-west-2"]);
        assert_eq!(coverage.left_out, []);
        assert_eq!(coverage.default_region.as_deref(), Some("us-west-2"));
        assert_eq!(
            names(coverage.wanted_in(&at("us-west-2"), &declared)),
            ["b"]
        );
        assert_eq!(
            names(coverage.wanted_in(&at("eu-west-1"), &declared)),
            ["a"]
        );
        assert_eq!(
            coverage.regions_of(&declared[0]),
            ["eu-west-1", "us-east-1"]
        );
        assert_eq!(coverage.regions_of(&declared[1]), ["us-west-2"]);
    }

    #[test]
    fn the_project_files_default_region_wins_over_the_environment_and_the_flags_order() {
        let declared = specs(TWO);
        let pinned = Coverage::of(
            &declared,
            &sources(&[], Some("us-west-2"), Some("eu-west-1")),
        )
        .unwrap();
        assert_eq!(pinned.regions(), ["eu-west-1", "us-east-1"]);
        assert_eq!(pinned.default_region.as_deref(), Some("eu-west-1"));
        // `--region` only narrows: the first flag does not become b's Region.
        let flags = ["us-east-1".to_string(), "eu-west-1".to_string()];
        let narrowed = Coverage::of(
            &declared,
            &sources(&flags, Some("us-east-1"), Some("eu-west-1")),
        )
        .unwrap();
        assert_eq!(narrowed.regions(), ["us-east-1", "eu-west-1"]);
        assert_eq!(
            names(narrowed.wanted_in(&at("eu-west-1"), &declared)),
            ["a", "b"]
        );
        assert_eq!(
            names(narrowed.wanted_in(&at("us-east-1"), &declared)),
            ["a"]
        );
        assert_eq!(narrowed.regions_of(&declared[1]), ["eu-west-1"]);
        let outside = Coverage::of(
            &declared,
            &sources(&["us-east-1".into()], None, Some("eu-west-1")),
        )
        .unwrap();
        assert_eq!(
            outside
                .left_out
                .iter()
                .map(|l| (l.name.as_str(), l.region.as_str()))
                .collect::<Vec<_>>(),
            [("a", "eu-west-1"), ("b", "eu-west-1")]
        );
        assert_eq!(outside.regions_of(&declared[1]), Vec::<String>::new());
        assert_eq!(outside.outside(&declared[0]), [at("eu-west-1")]);
        assert_eq!(outside.outside(&declared[1]), [at("eu-west-1")]);
        assert_eq!(narrowed.outside(&declared[0]), Vec::<Covered>::new());
    }

    #[test]
    fn flags_limit_the_run_and_name_what_is_left_out() {
        let declared = specs(TWO);
        let flags = ["us-east-1".to_string()];
        let coverage = Coverage::of(&declared, &sources(&flags, Some("us-west-2"), None)).unwrap();
        assert_eq!(coverage.regions(), ["us-east-1"]);
        assert_eq!(
            coverage.left_out,
            [Uncovered {
                name: "a".into(),
                target: None,
                region: "eu-west-1".into(),
                reason: "eu-west-1 is not among the --region flags".into()
            }]
        );
        assert_eq!(coverage.regions_of(&declared[0]), ["us-east-1"]);
        assert_eq!(coverage.regions_of(&declared[1]), ["us-east-1"]);
    }

    #[test]
    fn a_file_without_regions_needs_a_default_region() {
        let declared = specs(TWO);
        let error = Coverage::of(&declared, &sources(&[], None, None)).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("no AWS Region for connection `b`"),
            "{error}"
        );
        // Where each document is reported on its own, b is simply in no Region.
        let each = Coverage::allowing_unplaced(&declared, &sources(&[], None, None));
        assert_eq!(each.regions(), ["eu-west-1", "us-east-1"]);
        assert_eq!(each.regions_of(&declared[1]), Vec::<String>::new());
    }

    const PLACED: &str = "name: a\nsalesforce: { myDomain: acme }\nclientId: x\nclientSecret: { env: S }\ntargets: [prod, staging]\n---\nname: b\nsalesforce: { myDomain: acme }\nclientId: x\nclientSecret: { env: S }\ntargets: [prod]\nregions: [us-east-1]\n";

    fn targets() -> Vec<Target> {
        vec![
            target("prod", "111111111111", &["eu-west-1", "us-east-1"]),
            target("staging", "222222222222", &["eu-west-1"]),
            target("sandbox", "333333333333", &["ap-south-1"]),
        ]
    }

    fn in_target(target: &str, region: &str) -> Covered {
        Covered::of_target(target, region)
    }

    #[test]
    fn with_targets_a_document_is_in_each_region_of_each_target_it_names() {
        let declared = specs(PLACED);
        let targets = targets();
        let sources = Sources {
            targets: &targets,
            // Neither the SDK's Region nor defaultRegion places a document in a target.
            sdk: Some("ap-south-1"),
            pinned: Some("ap-south-1"),
            ..Sources::default()
        };
        let coverage = Coverage::of(&declared, &sources).unwrap();
        // The project file's order: prod's Regions, then staging's; sandbox has no document.
        assert_eq!(
            coverage.places,
            [
                in_target("prod", "eu-west-1"),
                in_target("prod", "us-east-1"),
                in_target("staging", "eu-west-1")
            ]
        );
        assert_eq!(coverage.left_out, []);
        assert_eq!(
            coverage.places_of(&declared[0]),
            [
                in_target("prod", "eu-west-1"),
                in_target("prod", "us-east-1"),
                in_target("staging", "eu-west-1")
            ]
        );
        // b's `regions:` narrows its target's.
        assert_eq!(
            coverage.places_of(&declared[1]),
            [in_target("prod", "us-east-1")]
        );
        assert_eq!(
            names(coverage.wanted_in(&in_target("prod", "us-east-1"), &declared)),
            ["a", "b"]
        );
        assert_eq!(
            names(coverage.wanted_in(&in_target("staging", "eu-west-1"), &declared)),
            ["a"]
        );
        // The same Region of the run's own account is another place.
        assert_eq!(
            names(coverage.wanted_in(&at("eu-west-1"), &declared)),
            [] as [&str; 0]
        );
        assert_eq!(coverage.regions(), ["eu-west-1", "us-east-1"]);
        assert_eq!(in_target("prod", "eu-west-1").to_string(), "prod/eu-west-1");
    }

    #[test]
    fn target_and_region_flags_narrow_a_run_and_name_what_they_leave_out() {
        let declared = specs(PLACED);
        let targets = targets();
        let only_staging = ["staging".to_string()];
        let narrowed = Coverage::of(
            &declared,
            &Sources {
                targets: &targets,
                target_flags: &only_staging,
                ..Sources::default()
            },
        )
        .unwrap();
        assert_eq!(narrowed.places, [in_target("staging", "eu-west-1")]);
        let left: Vec<(String, String, &str)> = narrowed
            .left_out
            .iter()
            .map(|l| (l.name.clone(), l.covered().to_string(), l.reason.as_str()))
            .collect();
        assert_eq!(
            left,
            [
                (
                    "a".into(),
                    "prod/eu-west-1".into(),
                    "prod is not among the --target flags"
                ),
                (
                    "a".into(),
                    "prod/us-east-1".into(),
                    "prod is not among the --target flags"
                ),
                (
                    "b".into(),
                    "prod/us-east-1".into(),
                    "prod is not among the --target flags"
                ),
            ]
        );
        assert_eq!(
            narrowed.outside(&declared[1]),
            [in_target("prod", "us-east-1")]
        );
        // --region: exactly those Regions, in each target that has them.
        let east = ["us-east-1".to_string()];
        let regional = Coverage::of(
            &declared,
            &Sources {
                targets: &targets,
                flags: &east,
                ..Sources::default()
            },
        )
        .unwrap();
        assert_eq!(regional.places, [in_target("prod", "us-east-1")]);
        assert_eq!(
            regional
                .left_out
                .iter()
                .map(|l| (l.covered().to_string(), l.reason.as_str()))
                .collect::<Vec<_>>(),
            [
                (
                    "prod/eu-west-1".to_string(),
                    "eu-west-1 is not among the --region flags"
                ),
                (
                    "staging/eu-west-1".to_string(),
                    "eu-west-1 is not among the --region flags"
                ),
            ]
        );
    }

    #[test]
    fn an_export_covers_the_flags_or_the_default_region() {
        let flags = ["eu-west-1".to_string(), "us-east-1".to_string()];
        let listed =
            |sources: Sources| Coverage::for_export(&sources).map(|coverage| coverage.regions());
        assert_eq!(
            listed(sources(&flags, Some("eu-west-1"), Some("ap-south-1"))).unwrap(),
            flags
        );
        assert_eq!(
            listed(sources(&[], Some("us-west-2"), None)).unwrap(),
            ["us-west-2"]
        );
        assert_eq!(
            listed(sources(&[], Some("ap-south-1"), Some("ap-south-1"))).unwrap(),
            ["ap-south-1"]
        );
        let error = listed(sources(&[], None, None)).unwrap_err();
        assert_eq!(
            error.to_string(),
            "no AWS Region to export from\n  help: pass --region us-east-1 (repeatable), or set AWS_REGION"
        );
    }
}
