//! `privateLink:`: the My Domain host reached through a VPC Lattice resource configuration,
//! for the API calls and (unless `tokenEndpoint: public`) the token request.

use super::walker::{At, Walker, child, lookup};
use crate::manifest::PrivateLink;
use crate::manifest::keys;
use crate::manifest::limits;
use crate::manifest::yaml::Segment;
use serde_yaml::Value;

impl Walker<'_> {
    pub(super) fn private_link(&mut self, value: &Value, path: &[Segment]) -> Option<PrivateLink> {
        if value.is_null() {
            return None;
        }
        let entries = self.mapping(value, path, keys::PRIVATE_LINK)?;
        let arn = self.required(
            &entries,
            path,
            "resourceConfigurationArn",
            "add `resourceConfigurationArn: arn:aws:vpc-lattice:...`",
        )?;
        let arn_path = child(path, "resourceConfigurationArn");
        let arn = self.string(arn, &arn_path)?;
        if !self.check(&arn_path, limits::check_resource_configuration_arn(&arn)) {
            return None;
        }
        let private_token_endpoint = match lookup(&entries, "tokenEndpoint") {
            None => true,
            Some(value) => {
                let token_path = child(path, "tokenEndpoint");
                match self.string(value, &token_path)?.as_str() {
                    "private" => true,
                    "public" => false,
                    other => {
                        self.report(
                            &token_path,
                            At::Value,
                            format!("`{other}` is not a token endpoint setting"),
                            "write `tokenEndpoint: public` to keep the token request on the internet, or leave it out (the token request goes through the resource configuration too)",
                        );
                        return None;
                    }
                }
            }
        };
        Some(PrivateLink {
            resource_configuration_arn: arn,
            private_token_endpoint,
        })
    }
}
