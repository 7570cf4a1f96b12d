//! The Regions a run covers, and the declared connections it leaves out, computed once for
//! every command that calls AWS: `diff`, `apply`, `verify`, `iam-policy`, `export`,
//! `salesforce-credentials` and `rotate-credentials`.
//!
//! The inputs are the `--region` flags, the project file's `defaultRegion`, the SDK's Region
//! (AWS_REGION or the profile's) and each document's `regions:`. The rule, in one place:
//! - a document's Region is its `regions:`, else the default Region: the project file's
//!   `defaultRegion` when it names one, whatever the flags and the environment say; otherwise
//!   the first `--region`, else AWS_REGION or the profile's;
//! - with `--region` flags, the run covers exactly those, and every document's Region outside
//!   them is left out (and named); without, every Region a document has.
//!
//! Pure: the SDK's Region is read by the caller.

use crate::config::Settings;
use crate::error::{Error, Problem};
use crate::manifest::ConnectionSpec;
use crate::place::Place;
use crate::plan::LeftOut;

/// Where a run's Regions come from.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Sources<'a> {
    /// `--region`, checked and without repeats: the run covers only these.
    pub(crate) flags: &'a [String],
    /// The SDK configuration's Region (AWS_REGION or the profile's, unless the first
    /// `--region` or the project file set it).
    pub(crate) sdk: Option<&'a str>,
    /// The project file's `defaultRegion`.
    pub(crate) pinned: Option<&'a str>,
}

impl<'a> Sources<'a> {
    /// The sources of the run `settings` describes, with the Region of its SDK configuration.
    pub(crate) fn of(settings: &'a Settings, config: &'a aws_config::SdkConfig) -> Self {
        Sources {
            flags: &settings.regions,
            sdk: config.region().map(|region| region.as_ref()),
            pinned: settings.project.default_region.as_deref(),
        }
    }

    /// The Region of the documents without `regions:`.
    fn default_region(&self) -> Option<&'a str> {
        self.pinned
            .or(self.flags.first().map(String::as_str))
            .or(self.sdk)
    }
}

/// A declared connection the run does not cover in one Region, and why: a [`LeftOut`] once
/// the run knows its account ([`Uncovered::placed`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Uncovered {
    pub(crate) name: String,
    pub(crate) region: String,
    pub(crate) reason: String,
}

impl Uncovered {
    /// What the run reports: the connection left out in `account` and the Region.
    pub(crate) fn placed(&self, account: &str) -> LeftOut {
        LeftOut {
            name: self.name.clone(),
            place: Place::new(account, self.region.clone()),
            reason: self.reason.clone(),
        }
    }
}

/// The Regions of a run and what it leaves out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Coverage {
    /// In the order the run reports them: the flags', else the declared ones with the default
    /// Region where the first document without `regions:` comes.
    pub(crate) regions: Vec<String>,
    pub(crate) left_out: Vec<Uncovered>,
    /// The Region of the documents without `regions:` (it may be outside the run when
    /// `--region` narrows it).
    pub(crate) default_region: Option<String>,
}

impl Coverage {
    /// The coverage of a run over `specs`, every one of which must have a Region.
    pub(crate) fn of(specs: &[ConnectionSpec], sources: &Sources) -> Result<Self, Error> {
        if sources.default_region().is_none()
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

    /// The coverage of a run over `specs` where a document without any Region is in none
    /// ([`Coverage::regions_of`] is empty), for the commands that report it per document.
    pub(crate) fn allowing_unplaced(specs: &[ConnectionSpec], sources: &Sources) -> Self {
        let default = sources.default_region();
        let mut regions: Vec<String> = Vec::new();
        let add = |region: &str, regions: &mut Vec<String>| {
            if !regions.iter().any(|r| r == region) {
                regions.push(region.to_string());
            }
        };
        for flag in sources.flags {
            add(flag, &mut regions);
        }
        let mut left_out = Vec::new();
        for spec in specs {
            for region in wanted(spec, default) {
                if sources.flags.is_empty() {
                    add(region, &mut regions);
                } else if !sources.flags.iter().any(|f| f == region) {
                    left_out.push(Uncovered {
                        name: spec.name.clone(),
                        region: region.to_string(),
                        reason: format!("{region} is not among the --region flags"),
                    });
                }
            }
        }
        Coverage {
            regions,
            left_out,
            default_region: default.map(str::to_string),
        }
    }

    /// The coverage of `export`, which reads no file: the `--region` flags, else the default
    /// Region.
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
            regions,
            left_out: Vec::new(),
            default_region: default.map(str::to_string),
        })
    }

    /// The declared connections wanted in `region`, in the order declared.
    pub(crate) fn wanted_in<'a>(
        &self,
        region: &str,
        specs: &'a [ConnectionSpec],
    ) -> Vec<&'a ConnectionSpec> {
        let default = self.default_region.as_deref();
        specs
            .iter()
            .filter(|spec| wanted(spec, default).contains(&region))
            .collect()
    }

    /// The Regions of the run `spec` (one of the documents the coverage is of) is wanted in,
    /// in the order it declares them.
    pub(crate) fn regions_of(&self, spec: &ConnectionSpec) -> Vec<String> {
        wanted(spec, self.default_region.as_deref())
            .into_iter()
            .filter(|region| self.regions.iter().any(|r| r == region))
            .map(str::to_string)
            .collect()
    }

    /// The Regions `spec` is in that the run does not cover (`--region` leaves them out).
    pub(crate) fn outside(&self, spec: &ConnectionSpec) -> Vec<String> {
        wanted(spec, self.default_region.as_deref())
            .into_iter()
            .filter(|region| !self.regions.iter().any(|r| r == region))
            .map(str::to_string)
            .collect()
    }
}

/// The Regions a document has: its `regions:`, else the default Region, else none.
fn wanted<'a>(spec: &'a ConnectionSpec, default: Option<&'a str>) -> Vec<&'a str> {
    match (&spec.regions, default) {
        (Some(declared), _) => declared.iter().map(String::as_str).collect(),
        (None, Some(default)) => vec![default],
        (None, None) => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::tests::specs;

    const TWO: &str = "name: a\nsalesforce: { myDomain: acme }\nclientId: x\nclientSecret: { env: S }\nregions: [eu-west-1, us-east-1]\n---\nname: b\nsalesforce: { myDomain: acme }\nclientId: x\nclientSecret: { env: S }\n";

    fn sources<'a>(
        flags: &'a [String],
        sdk: Option<&'a str>,
        pinned: Option<&'a str>,
    ) -> Sources<'a> {
        Sources { flags, sdk, pinned }
    }

    fn names(specs: Vec<&ConnectionSpec>) -> Vec<&str> {
        specs.iter().map(|s| s.name.as_str()).collect()
    }

    #[test]
    fn without_flags_a_run_covers_the_default_and_every_declared_region() {
        let declared = specs(TWO);
        let coverage = Coverage::of(&declared, &sources(&[], Some("us-west-2"), None)).unwrap();
        assert_eq!(coverage.regions, ["eu-west-1", "us-east-1", "us-west-2"]);
        assert_eq!(coverage.left_out, []);
        assert_eq!(coverage.default_region.as_deref(), Some("us-west-2"));
        assert_eq!(names(coverage.wanted_in("us-west-2", &declared)), ["b"]);
        assert_eq!(names(coverage.wanted_in("eu-west-1", &declared)), ["a"]);
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
        assert_eq!(pinned.regions, ["eu-west-1", "us-east-1"]);
        assert_eq!(pinned.default_region.as_deref(), Some("eu-west-1"));
        // `--region` only narrows: the first flag does not become b's Region.
        let flags = ["us-east-1".to_string(), "eu-west-1".to_string()];
        let narrowed = Coverage::of(
            &declared,
            &sources(&flags, Some("us-east-1"), Some("eu-west-1")),
        )
        .unwrap();
        assert_eq!(narrowed.regions, ["us-east-1", "eu-west-1"]);
        assert_eq!(
            names(narrowed.wanted_in("eu-west-1", &declared)),
            ["a", "b"]
        );
        assert_eq!(names(narrowed.wanted_in("us-east-1", &declared)), ["a"]);
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
        assert_eq!(outside.outside(&declared[0]), ["eu-west-1"]);
        assert_eq!(outside.outside(&declared[1]), ["eu-west-1"]);
        assert_eq!(narrowed.outside(&declared[0]), Vec::<String>::new());
    }

    #[test]
    fn flags_limit_the_run_and_name_what_is_left_out() {
        let declared = specs(TWO);
        let flags = ["us-east-1".to_string()];
        let coverage = Coverage::of(&declared, &sources(&flags, Some("us-west-2"), None)).unwrap();
        assert_eq!(coverage.regions, ["us-east-1"]);
        assert_eq!(
            coverage.left_out,
            [Uncovered {
                name: "a".into(),
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
        assert_eq!(each.regions, ["eu-west-1", "us-east-1"]);
        assert_eq!(each.regions_of(&declared[1]), Vec::<String>::new());
    }

    #[test]
    fn an_export_covers_the_flags_or_the_default_region() {
        let flags = ["eu-west-1".to_string(), "us-east-1".to_string()];
        let listed =
            |sources: Sources| Coverage::for_export(&sources).map(|coverage| coverage.regions);
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
