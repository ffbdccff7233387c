//! The one place write requests reach the audit trail. This layer gives every request an
//! empty [`ActorSlot`]; whichever authentication runs fills it ([`identify`]: the API's
//! Basic credentials in `auth.rs`, the operator token in `admin.rs`, a console session in
//! `console/session.rs`). After the handler, a write (any method but GET, HEAD, OPTIONS)
//! whose slot holds an actor is recorded with its outcome, before the answer leaves, so the
//! trail's order is the order of the requests. A request no authentication accepted (a
//! refused credential, an injected fault, the sign-in form) has no actor and no entry.

use axum::extract::{Request, State};
use axum::http::{Extensions, Method};
use axum::middleware::Next;
use axum::response::Response;
use std::sync::{Arc, OnceLock};

use crate::service::audit::{self, Actor};
use crate::service::App;

/// Where authentication leaves the request's actor (set once; the first one counts).
#[derive(Clone, Default)]
pub struct ActorSlot(Arc<OnceLock<Actor>>);

impl ActorSlot {
    pub fn get(&self) -> Option<&Actor> {
        self.0.get()
    }
}

/// Names the request's actor: called by each authentication once it accepted the request.
pub fn identify(extensions: &Extensions, actor: Actor) {
    if let Some(slot) = extensions.get::<ActorSlot>() {
        let _ = slot.0.set(actor);
    }
}

/// The request's actor, if an authentication named one.
pub fn actor_of(extensions: &Extensions) -> Option<Actor> {
    extensions.get::<ActorSlot>()?.get().cloned()
}

fn is_write(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

pub async fn record(State(app): State<Arc<App>>, mut req: Request, next: Next) -> Response {
    let slot = ActorSlot::default();
    req.extensions_mut().insert(slot.clone());
    let write =
        is_write(req.method()).then(|| (req.method().to_string(), req.uri().path().to_string()));
    let resp = next.run(req).await;
    if let (Some((method, path)), Some(actor)) = (write, slot.get()) {
        let named = account_in_path(&path);
        let status = resp.status().as_u16();
        audit::record(&app, actor, named, &method, &path, status).await;
    }
    resp
}

/// The account an operator's write names in its path (`…/Accounts/AC…`, the console's
/// `…/accounts/AC…`), so the trail files it under that account too.
fn account_in_path(path: &str) -> Option<String> {
    let mut segments = path.split('/');
    segments.find(|s| s.eq_ignore_ascii_case("accounts"))?;
    segments
        .next()
        .filter(|s| s.starts_with(crate::sid::ACCOUNT))
        .map(str::to_string)
}
