//! `{ ssm: /path/name }`: an AWS Systems Manager Parameter Store parameter. A SecureString is
//! decrypted (`WithDecryption`), a String is read as is, a StringList is refused. A name is
//! read in the connection's Region, an ARN in the Region it names.

use super::{
    Address, Fetch, Fetched, Grant, Reading, Refused, Scope, SecretSource, Source, Unread, Written,
};
use crate::aws::actions::kms::DECRYPT;
use crate::aws::arn::arn_place;
use crate::aws::ssm::{ReadError, read_parameter};
use crate::key::Key;
use futures::future::BoxFuture;

/// The one action reading a parameter needs: its grant and its access-denied help both name it.
const GET_PARAMETER: &str = "ssm:GetParameter";

/// Parameter Store's longest parameter ARN (a name is at most 1011 characters).
const NAME_MAX: usize = 2048;

pub(crate) const SOURCE: Source = Source {
    key: Key {
        name: "ssm",
        required: false,
        description: "SSM Parameter Store parameter name or ARN: a SecureString is decrypted, a String read as is (a name is read in the connection's Region).",
        example: "/provision/acme/client-secret",
    },
    options: &[],
    example: "{ ssm: /path/name }",
    schema: || {
        serde_json::json!({
            "type": crate::key::TEXT,
            "maxLength": NAME_MAX,
            "pattern": "\\S",
        })
    },
    parse,
    describe: |source| match source {
        SecretSource::Ssm(name) => format!("SSM parameter {name}"),
        _ => unreachable!("ssm describes ssm references"),
    },
    address: |source, place| match source {
        SecretSource::Ssm(name) => Address::Ssm {
            place: arn_place(name, place),
            name: name.clone(),
        },
        _ => unreachable!("ssm addresses ssm references"),
    },
    read,
    grants,
    policy_note: Some(
        "an `ssm` SecureString encrypted with a customer managed KMS key also needs kms:Decrypt on that key (the AWS managed key aws/ssm needs no statement)",
    ),
};

fn parse(written: Written<'_>) -> Result<SecretSource, Refused> {
    let name = written.text;
    if name.len() > NAME_MAX {
        return Err(Refused {
            message: format!("the parameter name or ARN is longer than {NAME_MAX} characters"),
            help: "give the parameter's name (`/team/salesforce/client-secret`) or ARN".to_string(),
        });
    }
    if name.chars().any(char::is_whitespace) {
        return Err(Refused {
            message: format!("`{name}` is not a parameter name: it holds white space"),
            help: "give the parameter's name (`/team/salesforce/client-secret`) or ARN, never its value"
                .to_string(),
        });
    }
    Ok(SecretSource::Ssm(name))
}

fn read<'a>(
    reading: Reading<'a>,
    source: &'a SecretSource,
) -> BoxFuture<'a, Result<Fetched, Unread>> {
    let SecretSource::Ssm(name) = source else {
        unreachable!("ssm reads ssm references")
    };
    Box::pin(async move {
        let place = arn_place(name, reading.place);
        let region = place.region.clone();
        let fetch = Fetch {
            source: SOURCE.key.name,
            place: place.clone(),
            id: name.clone(),
            version: None,
        };
        reading
            .once(fetch, async {
                let Some(store) = reading.stores.ssm.get(&place) else {
                    return Err(Unread::new(
                        format!("cannot read SSM parameter {name}: no Parameter Store client for {region}"),
                        "run diff or apply with AWS configuration",
                    ));
                };
                read_parameter(&store, name)
                    .await
                    .map_err(|error| unread(name, &region, error))
            })
            .await
    })
}

fn unread(name: &str, region: &str, error: ReadError) -> Unread {
    match error {
        ReadError::NotFound => Unread::new(
            format!("SSM parameter {name} was not found in {region}"),
            "create the parameter, or fix the name or ARN (the account and Region are those of the run)",
        ),
        ReadError::AccessDenied(message) => Unread::new(
            format!("access denied reading SSM parameter {name}: {message}"),
            format!(
                "allow {GET_PARAMETER} on this parameter (and {DECRYPT} on its key, for a SecureString with a customer managed key) for the identity running provision; `provision iam-policy` prints the policy"
            ),
        ),
        ReadError::WrongType(kind) => Unread::new(
            format!(
                "SSM parameter {name} is a {kind}; provision reads String and SecureString parameters"
            ),
            "store the value in a String or SecureString parameter",
        ),
        ReadError::Other(message) => Unread::new(
            format!("cannot read SSM parameter {name}: {message}"),
            "check the parameter in the Systems Manager console",
        ),
    }
}

/// `ssm:GetParameter` on exactly the parameter: a name is `parameter/<name without its
/// leading slash>` in the connection's Region; an ARN stays as written.
fn grants(source: &SecretSource, scope: &Scope<'_>) -> Vec<Grant> {
    let SecretSource::Ssm(name) = source else {
        return Vec::new();
    };
    let resource = if name.starts_with("arn:") {
        name.clone()
    } else {
        format!(
            "arn:{}:ssm:{}:{}:parameter/{}",
            scope.partition,
            scope.region,
            scope.account,
            name.trim_start_matches('/')
        )
    };
    vec![Grant {
        sid: "ReadReferencedParameters",
        actions: &[GET_PARAMETER],
        resource,
    }]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope() -> Scope<'static> {
        Scope {
            partition: "aws",
            region: "eu-west-1",
            account: "123456789012",
        }
    }

    #[test]
    fn a_name_is_granted_in_the_connections_region_and_an_arn_as_written() {
        let named = grants(&SecretSource::Ssm("/acme/prod/secret".into()), &scope());
        assert_eq!(
            named[0].resource,
            "arn:aws:ssm:eu-west-1:123456789012:parameter/acme/prod/secret"
        );
        let unrooted = grants(&SecretSource::Ssm("acme-secret".into()), &scope());
        assert_eq!(
            unrooted[0].resource,
            "arn:aws:ssm:eu-west-1:123456789012:parameter/acme-secret"
        );
        let arn = "arn:aws:ssm:us-west-2:123456789012:parameter/acme/prod/secret";
        let by_arn = grants(&SecretSource::Ssm(arn.into()), &scope());
        assert_eq!(by_arn[0].resource, arn);
        assert_eq!(by_arn[0].actions, ["ssm:GetParameter"]);
    }
}
