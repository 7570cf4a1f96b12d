//! AWS Region codes: their shape, and the Regions that exist.
//!
//! A mistyped Region (`us-east1`) would not fail anywhere: the connection would simply never
//! be created in the Regions of the run, so every code is checked against the known Regions.
//!
//! The list is the `regions` table of the `aws`, `aws-cn` and `aws-us-gov` partitions in the
//! AWS SDK's partition data (`partitions.json`, as embedded in the endpoint resolver of
//! `aws-sdk-eventbridge` 1.109), without the `*-global` pseudo-Regions. Update it when AWS
//! opens a Region (the SDK's partition data gains it; compare after upgrading the SDK): until
//! then a file naming the new Region is refused as unknown.

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
pub fn check_region(code: &str) -> Result<(), Violation> {
    if KNOWN_REGIONS.contains(&code) {
        return Ok(());
    }
    let shown = show(code);
    let message = if has_region_shape(code) {
        format!("`{shown}` is not a known AWS Region")
    } else {
        format!("`{shown}` is not an AWS Region code")
    };
    let help = match closest(code) {
        Some(candidate) => format!("did you mean `{candidate}`?"),
        None if has_region_shape(code) => format!(
            "{SHAPE_HINT}; provision knows the Regions of the aws, aws-cn and aws-us-gov partitions (a Region newer than this version of provision needs a newer provision)"
        ),
        None => SHAPE_HINT.to_string(),
    };
    Err(Violation { message, help })
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
            ("eu-west-9", "eu-west-1"),
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
        assert_eq!(
            check_region("eu-west-9").unwrap_err().message,
            "`eu-west-9` is not a known AWS Region"
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
