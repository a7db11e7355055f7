//! Asking the user, in whichever way the client can be asked.

use std::collections::BTreeMap;

use rmcp::{
    model::{
        CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, ElicitRequest,
        ElicitRequestParams, ElicitResult, ElicitationAction, ElicitationSchema, InputRequest,
        InputRequiredResult, ProtocolVersion,
    },
    service::RequestContext,
    RoleServer,
};

/// The key of our question in `inputRequests` / `inputResponses`.
const QUESTION: &str = "confirm_loss";

/// Asks whether to go on despite `loss`: `None` to proceed, else the answer
/// to send instead of running the tool.
///
/// - 2026-07-28 sessions (no server-to-client requests) get an
///   input-required result holding a form elicitation; the client retries
///   with the user's answer in `inputResponses`.
/// - Older sessions whose client declared elicitation get `elicitation/create`.
/// - Other clients get an error saying what would be lost and how to confirm.
pub(crate) async fn ask(
    loss: &str,
    request: &CallToolRequestParams,
    context: &RequestContext<RoleServer>,
) -> Option<CallToolResponse> {
    let message = format!("{}: {loss}. Go on?", request.name);
    let stateless = context
        .protocol_version()
        .is_some_and(|v| v >= ProtocolVersion::V_2026_07_28);
    if stateless {
        return ask_in_rounds(message, loss, request, context);
    }
    if context.peer.supported_elicitation_modes().is_empty() {
        return Some(unasked(loss));
    }
    match context.peer.create_elicitation(form(message)).await {
        Ok(answer) => refused(&answer, loss),
        Err(e) => Some(refusal(format!(
            "{loss}, and asking the user failed ({e}). Nothing was done; \
             once the user agrees, call again with confirm: true."
        ))),
    }
}

/// The multi-round-trip way: the question first, the answer on the retry.
fn ask_in_rounds(
    message: String,
    loss: &str,
    request: &CallToolRequestParams,
    context: &RequestContext<RoleServer>,
) -> Option<CallToolResponse> {
    let answer = request
        .input_responses
        .as_ref()
        .and_then(|r| r.get(QUESTION));
    if let Some(answer) = answer {
        return match serde_json::from_value::<ElicitResult>(answer.clone()) {
            Ok(answer) => refused(&answer, loss),
            Err(e) => Some(refusal(format!(
                "inputResponses.{QUESTION} is not an elicitation result: {e}"
            ))),
        };
    }
    let can_elicit = context
        .meta
        .client_capabilities()
        .or_else(|| context.peer.peer_info().map(|i| i.capabilities.clone()))
        .is_some_and(|c| c.elicitation.is_some());
    if !can_elicit {
        return Some(unasked(loss));
    }
    let question = InputRequest::Elicitation(ElicitRequest::new(form(message)));
    let requests = BTreeMap::from([(QUESTION.to_owned(), question)]);
    Some(InputRequiredResult::from_input_requests(requests).into())
}

/// A form with no fields: accepting it is the confirmation.
fn form(message: String) -> ElicitRequestParams {
    ElicitRequestParams::FormElicitationParams {
        meta: None,
        message,
        requested_schema: ElicitationSchema::new(BTreeMap::new()),
    }
}

/// `None` when the user accepted, else the refusal to send.
fn refused(answer: &ElicitResult, loss: &str) -> Option<CallToolResponse> {
    match answer.action {
        ElicitationAction::Accept => None,
        _ => Some(refusal(format!(
            "The user did not confirm ({loss}); nothing was done."
        ))),
    }
}

/// The answer to a client that cannot be asked.
fn unasked(loss: &str) -> CallToolResponse {
    refusal(format!(
        "Not done: {loss}. Ask the user; if they agree, call again with confirm: true."
    ))
}

fn refusal(text: String) -> CallToolResponse {
    CallToolResult::error(vec![ContentBlock::text(text)]).into()
}
