//! The fields of an ARN that more than one module reads (the Region, the account), in one
//! place so every reader agrees on what an ARN is.

use crate::place::Place;

/// The Region an ARN names (`arn:aws:secretsmanager:eu-west-1:...`), if `id` is an ARN that
/// names one.
pub(crate) fn arn_region(id: &str) -> Option<&str> {
    arn_part(id, 3)
}

/// The account an ARN names (`arn:aws:secretsmanager:eu-west-1:123456789012:...`), if `id`
/// is an ARN that names one.
pub(crate) fn arn_account(id: &str) -> Option<&str> {
    arn_part(id, 4)
}

/// The `index`th field of an ARN (`arn` is the 0th), if `id` is one and the field is not empty.
fn arn_part(id: &str, index: usize) -> Option<&str> {
    let mut parts = id.split(':');
    (parts.next() == Some("arn"))
        .then(|| parts.nth(index - 1))
        .flatten()
        .filter(|part| !part.is_empty())
}

/// Where `id` is read for a resource in `place`: the Region and account an ARN names, else
/// the resource's own.
pub(crate) fn arn_place(id: &str, place: &Place) -> Place {
    Place::new(
        arn_account(id).unwrap_or(&place.account),
        arn_region(id).unwrap_or(&place.region),
    )
}

#[cfg(test)]
mod tests {
    use super::{arn_place, arn_region};
    use crate::place::Place;

    #[test]
    fn an_arn_names_its_place_and_a_name_is_read_in_the_resources() {
        let here = Place::new("111111111111", "us-east-1");
        assert_eq!(
            arn_place(
                "arn:aws:secretsmanager:eu-west-1:222222222222:secret:acme-AbCdEf",
                &here
            ),
            Place::new("222222222222", "eu-west-1")
        );
        assert_eq!(arn_place("salesforce/acme-prod", &here), here);
    }

    #[test]
    fn an_arn_names_its_region_and_a_name_does_not() {
        assert_eq!(
            arn_region("arn:aws:secretsmanager:eu-west-1:123456789012:secret:acme-AbCdEf"),
            Some("eu-west-1")
        );
        assert_eq!(
            arn_region("arn:aws:ssm:ap-south-1:123456789012:parameter/acme/secret"),
            Some("ap-south-1")
        );
        assert_eq!(arn_region("salesforce/acme-prod"), None);
        assert_eq!(arn_region("/acme/prod/secret"), None);
        assert_eq!(arn_region("arn:aws:secretsmanager::1:secret:x"), None);
    }
}
