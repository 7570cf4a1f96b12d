//! The fields of an ARN that more than one module reads (today: the Region), in one place so
//! every reader agrees on what an ARN is.

/// The Region an ARN names (`arn:aws:secretsmanager:eu-west-1:...`), if `id` is an ARN that
/// names one.
pub(crate) fn arn_region(id: &str) -> Option<&str> {
    let mut parts = id.split(':');
    (parts.next() == Some("arn"))
        .then(|| parts.nth(2))
        .flatten()
        .filter(|region| !region.is_empty())
}

#[cfg(test)]
mod tests {
    use super::arn_region;

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
