//! AWS Region codes: their shape, and the Regions that exist.
//!
//! A mistyped Region (`us-east1`) would not fail anywhere: the connection would simply never
//! be created in the Regions of the run, so every code is checked against the known Regions.
//!
//! The list is the `regions` table of the `aws`, `aws-cn` and `aws-us-gov` partitions in the
//! AWS SDK's partition data (`partitions.json`, as embedded in the endpoint resolver of
//! `aws-sdk-eventbridge` 1.109), without the `*-global` pseudo-Regions. Update it when AWS
//! opens a Region (the SDK's partition data gains it; compare after upgrading the SDK). Until
//! then a project that needs a newer Region lists it under `extraRegions:` in `provision.yaml`
//! ([`check_extra_region`] checks only its shape), so a new Region never waits for a release;
//! typos still get "did you mean".

use super::limits::Violation;

/// Known Regions of the `aws`, `aws-cn` and `aws-us-gov` partitions, sorted.
pub const KNOWN_REGIONS: &[&str] = &[
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "cn-north-1",
    "cn-northwest-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-gov-east-1",
    "us-gov-west-1",
    "us-west-1",
    "us-west-2",
];

const SHAPE_HINT: &str = "write Region codes such as `us-east-1`, `eu-central-2` or `us-gov-west-1` (lower case: area, direction, number)";

/// Longest code quoted whole in a message; longer ones are cut.
const SHOWN_MAX: usize = 64;

/// Checks one Region code: `^[a-z]{2}(-[a-z]+)+-[0-9]+$` and one of [`KNOWN_REGIONS`].
#[cfg(test)]
pub fn check_region(code: &str) -> Result<(), Violation> {
    check_region_with(code, &[])
}

/// Like [`check_region`], also accepting the project file's `extraRegions`.
pub fn check_region_with(code: &str, extra: &[String]) -> Result<(), Violation> {
    if KNOWN_REGIONS.contains(&code) || extra.iter().any(|allowed| allowed == code) {
        return Ok(());
    }
    let shown = show(code);
    let message = if has_region_shape(code) {
        format!("`{shown}` is not a known AWS Region")
    } else {
        format!("`{shown}` is not an AWS Region code")
    };
    let help = match closest(code) {
        // Well formed and close to a known Region: a typo, or a Region opened since
        // (`ap-southeast-9` is one edit from `ap-southeast-1`).
        Some(candidate) if has_region_shape(code) && new_number_of_known_area(code) => format!(
            "did you mean `{candidate}`? If `{shown}` is a Region newer than this version of provision, list it under `extraRegions:` in provision.yaml"
        ),
        Some(candidate) => format!("did you mean `{candidate}`?"),
        None if has_region_shape(code) => format!(
            "{SHAPE_HINT}; provision knows the Regions of the aws, aws-cn and aws-us-gov partitions; to use a Region newer than this version of provision, list it under `extraRegions:` in provision.yaml"
        ),
        None => SHAPE_HINT.to_string(),
    };
    Err(Violation { message, help })
}

/// An `extraRegions` entry: a Region this build does not know, so only its shape is checked,
/// loosely enough for other partitions (`eusc-de-east-1`, `us-isob-east-1`):
/// `^[a-z]{2,4}(-[a-z]+)+-[0-9]+$`. A known Region is accepted too (it is simply redundant).
pub fn check_extra_region(code: &str) -> Result<(), Violation> {
    let (area, rest) = code.split_once('-').unwrap_or((code, ""));
    let shaped = (2..=4).contains(&area.len())
        && area.bytes().all(|b| b.is_ascii_lowercase())
        && has_region_shape(&format!("xx-{rest}"));
    if shaped {
        Ok(())
    } else {
        Err(Violation {
            message: format!("`{}` is not shaped like an AWS Region code", show(code)),
            help: SHAPE_HINT.to_string(),
        })
    }
}

/// `ap-southeast-9`: a known area and direction with a number this build does not know, the
/// way AWS names a Region it opens.
fn new_number_of_known_area(code: &str) -> bool {
    let stem = |region: &str| region.rsplit_once('-').map(|(stem, _)| stem.to_string());
    let typed = stem(code);
    KNOWN_REGIONS.iter().any(|known| stem(known) == typed)
}

/// `^[a-z]{2}(-[a-z]+)+-[0-9]+$`
fn has_region_shape(code: &str) -> bool {
    let parts: Vec<&str> = code.split('-').collect();
    let [area, middle @ .., number] = parts.as_slice() else {
        return false;
    };
    area.len() == 2
        && area.bytes().all(|b| b.is_ascii_lowercase())
        && !middle.is_empty()
        && middle
            .iter()
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_lowercase()))
        && !number.is_empty()
        && number.bytes().all(|b| b.is_ascii_digit())
}

/// The known Region closest to a mistyped one (ignoring case, `_` for `-` and spaces), if
/// it is close enough to be what was meant.
fn closest(code: &str) -> Option<&'static str> {
    if code.chars().count() > SHOWN_MAX {
        return None;
    }
    let typed: String = code
        .trim()
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c == '_' || c == ' ' { '-' } else { c })
        .collect();
    KNOWN_REGIONS
        .iter()
        .map(|known| (strsim::levenshtein(&typed, known), *known))
        .filter(|(distance, _)| *distance <= 2)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, known)| known)
}

fn show(code: &str) -> String {
    let shown: String = code.chars().take(SHOWN_MAX).collect();
    let shown = if shown.len() < code.len() {
        format!("{shown}...")
    } else {
        shown
    };
    if shown.chars().any(char::is_control) {
        shown.escape_debug().to_string()
    } else {
        shown
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_regions_of_every_partition_pass() {
        for code in [
            "us-east-1",
            "us-gov-west-1",
            "cn-north-1",
            "eu-central-2",
            "ap-southeast-5",
            "mx-central-1",
        ] {
            assert_eq!(check_region(code), Ok(()), "{code}");
        }
    }

    #[test]
    fn every_known_region_has_the_shape_and_the_list_is_sorted() {
        for code in KNOWN_REGIONS {
            assert!(has_region_shape(code), "{code}");
        }
        let mut sorted = KNOWN_REGIONS.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted, KNOWN_REGIONS);
    }

    #[test]
    fn a_mistyped_region_gets_the_closest_known_one() {
        for (typed, meant) in [
            ("us-east1", "us-east-1"),
            ("US-EAST-1", "us-east-1"),
            ("eu_central_1", "eu-central-1"),
            ("useast1", "us-east-1"),
            ("us-gov-wets-1", "us-gov-west-1"),
        ] {
            let error = check_region(typed).unwrap_err();
            assert_eq!(error.help, format!("did you mean `{meant}`?"), "{typed}");
        }
        assert_eq!(
            check_region("us-east1").unwrap_err().message,
            "`us-east1` is not an AWS Region code"
        );
        let new_or_typo = check_region("eu-west-9").unwrap_err();
        assert_eq!(new_or_typo.message, "`eu-west-9` is not a known AWS Region");
        assert_eq!(
            new_or_typo.help,
            "did you mean `eu-west-1`? If `eu-west-9` is a Region newer than this version of provision, list it under `extraRegions:` in provision.yaml"
        );
    }

    #[test]
    fn far_off_codes_get_the_shape_hint() {
        let error = check_region("mars-north-1").unwrap_err();
        assert_eq!(error.message, "`mars-north-1` is not an AWS Region code");
        assert_eq!(error.help, SHAPE_HINT);
        let error = check_region("zz-nowhere-7").unwrap_err();
        assert_eq!(error.message, "`zz-nowhere-7` is not a known AWS Region");
        assert!(error.help.starts_with(SHAPE_HINT), "{}", error.help);
        assert!(check_region("").is_err());
        assert!(check_region(&"x".repeat(10_000)).is_err());
    }

    #[test]
    fn a_region_this_build_does_not_know_is_accepted_once_listed_as_extra() {
        let error = check_region("ap-southeast-9").unwrap_err();
        assert_eq!(error.message, "`ap-southeast-9` is not a known AWS Region");
        assert!(
            error.help.starts_with("did you mean `ap-southeast-1`?"),
            "{}",
            error.help
        );
        assert!(error.help.contains("extraRegions"), "{}", error.help);
        let extra = ["ap-southeast-9".to_string(), "eusc-de-east-1".to_string()];
        assert_eq!(check_region_with("ap-southeast-9", &extra), Ok(()));
        assert_eq!(check_region_with("eusc-de-east-1", &extra), Ok(()));
        // Typos keep their suggestion: an extra Region only allows itself.
        assert_eq!(
            check_region_with("us-east1", &extra).unwrap_err().help,
            "did you mean `us-east-1`?"
        );
        for code in [
            "ap-southeast-9",
            "eusc-de-east-1",
            "us-isob-east-1",
            "us-east-1",
        ] {
            assert_eq!(check_extra_region(code), Ok(()), "{code}");
        }
        for code in [
            "",
            "us-east",
            "US-EAST-9",
            "abcde-x-1",
            "us_east_1",
            "ap-southeast-9a",
        ] {
            assert!(check_extra_region(code).is_err(), "{code}");
        }
    }

    #[test]
    fn the_shape_is_two_letters_words_and_a_number() {
        for code in ["us-east-1", "us-gov-west-1", "ab-c-0"] {
            assert!(has_region_shape(code), "{code}");
        }
        for code in [
            "us-east",
            "us--east-1",
            "use-east-1",
            "us-east-1a",
            "-east-1",
            "us-1",
        ] {
            assert!(!has_region_shape(code), "{code}");
        }
    }
}
