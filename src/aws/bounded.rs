//! AWS answers are read within [`bounds::AWS_BODY_BYTES`](crate::bounds::AWS_BODY_BYTES).
//!
//! The SDK reads a whole answer into memory before it parses it, however large: an endpoint
//! that is not AWS (`--endpoint-url`, `AWS_ENDPOINT_URL*`) could answer without end. An
//! interceptor on every client refuses an answer whose `Content-Length` passes the bound and
//! wraps the body of any other in a counter that fails once the bound is passed; such a
//! failure is not retried ([`TooLargeIsFinal`]) and is described with the bound
//! ([`find`], used by [`super::describe_sdk_error`]).

use crate::bounds::{AWS_BODY_BYTES, BodyError};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeDeserializationInterceptorContextMut, InterceptorContext,
};
use aws_smithy_runtime_api::client::retries::classifiers::{ClassifyRetry, RetryAction};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::config_bag::ConfigBag;
use bytes::Bytes;
use std::pin::Pin;
use std::task::{Context, Poll};

/// An answer passed the bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{}", BodyError::too_large(*.limit))]
pub(crate) struct AnswerTooLarge {
    pub(crate) limit: usize,
}

/// The bound hit somewhere in `error`'s chain, if one was. Pure.
pub(crate) fn find(error: &(dyn std::error::Error + 'static)) -> Option<AnswerTooLarge> {
    let mut current = Some(error);
    while let Some(next) = current {
        if let Some(found) = next.downcast_ref::<AnswerTooLarge>() {
            return Some(*found);
        }
        current = next.source();
    }
    None
}

/// The interceptor every client carries.
#[derive(Debug)]
pub(crate) struct BoundedAnswers {
    pub(crate) limit: usize,
}

impl Default for BoundedAnswers {
    fn default() -> Self {
        BoundedAnswers {
            limit: AWS_BODY_BYTES,
        }
    }
}

impl Intercept for BoundedAnswers {
    fn name(&self) -> &'static str {
        "bounded answers"
    }

    fn modify_before_deserialization(
        &self,
        context: &mut BeforeDeserializationInterceptorContextMut<'_>,
        _components: &RuntimeComponents,
        _config: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let limit = self.limit;
        let response = context.response_mut();
        let declared = response
            .headers()
            .get("content-length")
            .and_then(|length| length.trim().parse::<u64>().ok());
        if declared.is_some_and(|length| length > limit as u64) {
            return Err(Box::new(AnswerTooLarge { limit }));
        }
        let body = response.take_body();
        *response.body_mut() = SdkBody::from_body_1_x(Counted {
            inner: body,
            read: 0,
            limit,
        });
        Ok(())
    }
}

/// A body that fails once more than `limit` bytes came through it.
struct Counted {
    inner: SdkBody,
    read: usize,
    limit: usize,
}

impl http_body::Body for Counted {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, BoxError>>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                this.read = this
                    .read
                    .saturating_add(frame.data_ref().map_or(0, Bytes::len));
                if this.read > this.limit {
                    return Poll::Ready(Some(Err(Box::new(AnswerTooLarge { limit: this.limit }))));
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(error))) => Poll::Ready(Some(Err(error))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }
}

/// An answer too large is not asked for again: it would be as large the next time.
#[derive(Debug)]
pub(crate) struct TooLargeIsFinal;

impl ClassifyRetry for TooLargeIsFinal {
    fn classify_retry(&self, context: &InterceptorContext) -> RetryAction {
        match context.output_or_error() {
            Some(Err(error)) if find(error).is_some() => RetryAction::RetryForbidden,
            _ => RetryAction::NoActionIndicated,
        }
    }

    fn name(&self) -> &'static str {
        "answers too large are final"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body::Body;

    /// Reads `body` to its end: the bytes it gave, or its error.
    async fn drain(mut body: Counted) -> Result<usize, BoxError> {
        let mut read = 0;
        while let Some(frame) = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await
        {
            read += frame?.data_ref().map_or(0, Bytes::len);
        }
        Ok(read)
    }

    fn counted(body: String, limit: usize) -> Counted {
        Counted {
            inner: SdkBody::from(body),
            read: 0,
            limit,
        }
    }

    #[tokio::test]
    async fn a_body_within_the_bound_passes_unchanged() {
        assert_eq!(drain(counted("x".repeat(100), 100)).await.unwrap(), 100);
    }

    #[tokio::test]
    async fn a_body_past_the_bound_fails_naming_it() {
        let error = drain(counted("x".repeat(101), 100)).await.unwrap_err();
        assert_eq!(find(error.as_ref()), Some(AnswerTooLarge { limit: 100 }));
        assert_eq!(
            error.to_string(),
            "the answer is larger than 100 bytes, the most provision reads of it"
        );
    }
}
