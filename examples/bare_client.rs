//! The floor for `provision diff`: the same AWS calls with none of the tool's logic.
//!
//! One `ListConnections` walk (limit 100, following `NextToken`), then for every connection
//! found a `DescribeConnection` and a `GetSecretValue` on its `SecretArn`, with at most
//! `--concurrency` connections in flight. Prints only the number of connections read.
//! `scripts/bench.sh` times it next to `provision diff` to show what the tool itself costs.
//!
//! With `--destinations`, then one `ListApiDestinations` walk (limit 100) and a
//! `DescribeApiDestination` of every API destination found, at most `--concurrency` at once,
//! as `provision diff` reads the declared ones (`scripts/bench_destinations.sh`); it prints the
//! number of destinations read after the number of connections.
//!
//!     cargo run --release --example bare_client -- --concurrency 8 --endpoint-url URL
//!
//! Region and credentials come from the usual SDK environment (`AWS_REGION`, ...); the
//! endpoint from `--endpoint-url` or `AWS_ENDPOINT_URL`.

use aws_config::{BehaviorVersion, Region};
use aws_sdk_eventbridge::error::DisplayErrorContext;
use futures::StreamExt;
use std::process::ExitCode;

struct Args {
    concurrency: usize,
    destinations: bool,
    endpoint_url: Option<String>,
    region: Option<String>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        concurrency: 8,
        destinations: false,
        endpoint_url: None,
        region: None,
    };
    let mut words = std::env::args().skip(1);
    while let Some(flag) = words.next() {
        let mut value = || words.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--concurrency" => {
                args.concurrency = value()?
                    .parse()
                    .ok()
                    .filter(|n| *n >= 1)
                    .ok_or("--concurrency takes a positive number")?;
            }
            "--destinations" => args.destinations = true,
            "--endpoint-url" => args.endpoint_url = Some(value()?),
            "--region" => args.region = Some(value()?),
            _ => {
                return Err(format!(
                    "unknown argument {flag}; use --concurrency N, --destinations, --endpoint-url URL, --region R"
                ));
            }
        }
    }
    Ok(args)
}

async fn run(args: Args) -> Result<String, String> {
    let mut loader = aws_config::defaults(BehaviorVersion::latest());
    if let Some(url) = args.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    if let Some(region) = args.region {
        loader = loader.region(Region::new(region));
    }
    let config = loader.load().await;
    let events = aws_sdk_eventbridge::Client::new(&config);
    let secrets = aws_sdk_secretsmanager::Client::new(&config);

    let mut names = Vec::new();
    let mut next_token = None;
    loop {
        let page = events
            .list_connections()
            .limit(100)
            .set_next_token(next_token.take())
            .send()
            .await
            .map_err(|e| format!("ListConnections: {}", DisplayErrorContext(e)))?;
        names.extend(
            page.connections()
                .iter()
                .filter_map(|c| c.name())
                .map(str::to_string),
        );
        match page.next_token() {
            Some(token) if !token.is_empty() => next_token = Some(token.to_string()),
            _ => break,
        }
    }

    let results: Vec<Result<(), String>> = futures::stream::iter(names)
        .map(|name| {
            let (events, secrets) = (&events, &secrets);
            async move {
                let described = events
                    .describe_connection()
                    .name(&name)
                    .send()
                    .await
                    .map_err(|e| {
                        format!("DescribeConnection {name}: {}", DisplayErrorContext(e))
                    })?;
                let arn = described
                    .secret_arn()
                    .ok_or(format!("{name} has no SecretArn"))?;
                secrets
                    .get_secret_value()
                    .secret_id(arn)
                    .send()
                    .await
                    .map_err(|e| format!("GetSecretValue {arn}: {}", DisplayErrorContext(e)))?;
                Ok(())
            }
        })
        .buffer_unordered(args.concurrency)
        .collect()
        .await;
    let connections = results
        .into_iter()
        .collect::<Result<Vec<()>, String>>()?
        .len();
    if !args.destinations {
        return Ok(connections.to_string());
    }
    let destinations = read_destinations(&events, args.concurrency).await?;
    Ok(format!("{connections} {destinations}"))
}

/// Lists every API destination and describes each, `concurrency` at once: how many were read.
async fn read_destinations(
    events: &aws_sdk_eventbridge::Client,
    concurrency: usize,
) -> Result<usize, String> {
    let mut names = Vec::new();
    let mut next_token = None;
    loop {
        let page = events
            .list_api_destinations()
            .limit(100)
            .set_next_token(next_token.take())
            .send()
            .await
            .map_err(|e| format!("ListApiDestinations: {}", DisplayErrorContext(e)))?;
        names.extend(
            page.api_destinations()
                .iter()
                .filter_map(|d| d.name())
                .map(str::to_string),
        );
        match page.next_token() {
            Some(token) if !token.is_empty() => next_token = Some(token.to_string()),
            _ => break,
        }
    }
    let results: Vec<Result<(), String>> = futures::stream::iter(names)
        .map(|name| async move {
            events
                .describe_api_destination()
                .name(&name)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| format!("DescribeApiDestination {name}: {}", DisplayErrorContext(e)))
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    results
        .into_iter()
        .collect::<Result<Vec<()>, String>>()
        .map(|read| read.len())
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    match runtime.block_on(run(args)) {
        Ok(counts) => {
            println!("{counts}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
