//! Isolation as a property. Random sequences of operations by two unrelated accounts (A, B)
//! and a parent with its subaccount (P, S) run against the real server. After every step:
//! the answer is the one a model of "who owns what" predicts (success, or exactly the
//! documented refusal); the touched objects are as the model says when their owner looks;
//! every account's lists hold exactly its own SIDs; and no answer names a SID the caller
//! cannot reach.
//!
//! Defaults: 8 cases of 60–120 operations from a fixed seed; `PROPTEST_CASES` and
//! `PROPTEST_RNG_SEED` override them. A failure shrinks and reports the steps it took.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests panic on failure.

#[path = "common/mod.rs"]
mod common;

use common::*;
use proptest::prelude::*;
use proptest::test_runner::{RngSeed, TestError, TestRunner};
use serde_json::{json, Value};
use std::collections::HashSet;
use std::fmt;

const NAMES: [&str; 4] = ["A", "B", "P", "S"];
const P: usize = 2;
/// The only family: S is P's subaccount. A and B are unrelated to everyone.
const PARENT: [Option<usize>; 4] = [None, None, None, Some(P)];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    EndUser,
    Document,
    Profile,
    Product,
    Address,
    Number,
    Key,
    /// A Messaging Service (Messaging v1, `/v1/Services`).
    Service,
}
use Kind::*;

impl Kind {
    const ALL: [Kind; 8] = [
        EndUser, Document, Profile, Product, Address, Number, Key, Service,
    ];
    fn collection(self) -> &'static str {
        match self {
            EndUser => "EndUsers",
            Document => "SupportingDocuments",
            Profile => "CustomerProfiles",
            Product => "TrustProducts",
            Address => "Addresses",
            Number => "IncomingPhoneNumbers",
            Key => "Keys",
            Service => "Services",
        }
    }
    fn list_key(self) -> &'static str {
        match self {
            Address => "addresses",
            Number => "incoming_phone_numbers",
            Key => "keys",
            Service => "services",
            _ => "results",
        }
    }
    /// Addresses, numbers and keys live under `/2010-04-01/Accounts/{AccountSid}`.
    fn api2010(self) -> bool {
        matches!(self, Address | Number | Key)
    }
    fn bundle(self) -> bool {
        matches!(self, Profile | Product)
    }
}

/// A bundle's sub-resources (their `Debug` is their path segment).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sub {
    EntityAssignments,
    ChannelEndpointAssignments,
    Evaluations,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Verb {
    Fetch,
    Rename,
    Delete,
}

/// The caller: an actor, or (`None`) the owner of the op's target; by token or API key.
#[derive(Clone, Copy)]
struct By(Option<usize>, bool);

impl fmt::Debug for By {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        let key = if self.1 { "/key" } else { "" };
        write!(f, "{}{key}", self.0.map_or("owner", |a| NAMES[a]))
    }
}

/// `usize` targets pick among the objects known at that moment (modulo their number).
/// `Option<usize>` is the account named in a 2010 URL (`None`: the owner's, or the caller's).
#[derive(Clone, Debug)]
enum Op {
    Create(By, Kind, Option<usize>),
    Touch(By, Verb, usize, Option<usize>),
    /// Bundle, object, as a number (ChannelEndpointAssignment)?, near (the object is of
    /// the bundle owner's family, where the parent rules apply)?
    Assign(By, usize, usize, bool, bool),
    Evaluate(By, usize),
    /// Fetch or delete a sub-resource through its own bundle (`None`) or one of the
    /// caller's.
    TouchSub(By, Verb, usize, Option<usize>),
    List(By, Kind, Option<usize>),
    ListSubs(By, usize, Sub),
    /// Number, URL account, new owner (`AccountSid`).
    MoveNumber(By, usize, Option<usize>, usize),
    Account(By, Verb, usize),
    ListAccounts(By),
}

fn op() -> impl Strategy<Value = Op> {
    use Verb::*;
    let actor = || (0..4usize, any::<bool>()).prop_map(|(a, k)| By(Some(a), k));
    let by = || (prop::option::weighted(0.5, 0..4usize), any::<bool>()).prop_map(|(a, k)| By(a, k));
    let kind = || prop::sample::select(Kind::ALL.to_vec());
    let verb = |v: &[Verb]| prop::sample::select(v.to_vec());
    let url = || prop::option::weighted(0.3, 0..4usize);
    let i = || 0..1000usize;
    let subs = vec![
        Sub::EntityAssignments,
        Sub::ChannelEndpointAssignments,
        Sub::Evaluations,
    ];
    prop_oneof![
        4 => (actor(), kind(), url()).prop_map(|(b, k, u)| Op::Create(b, k, u)),
        7 => (by(), verb(&[Fetch, Fetch, Rename, Delete]), i(), url())
            .prop_map(|(b, v, t, u)| Op::Touch(b, v, t, u)),
        7 => (by(), i(), i(), any::<bool>(), any::<bool>())
            .prop_map(|(b, x, o, n, near)| Op::Assign(b, x, o, n, near)),
        1 => (by(), i()).prop_map(|(b, x)| Op::Evaluate(b, x)),
        3 => (by(), verb(&[Fetch, Fetch, Delete]), i(), prop::option::weighted(0.4, i()))
            .prop_map(|(b, v, s, via)| Op::TouchSub(b, v, s, via)),
        2 => (actor(), kind(), url()).prop_map(|(b, k, u)| Op::List(b, k, u)),
        1 => (by(), i(), prop::sample::select(subs)).prop_map(|(b, x, s)| Op::ListSubs(b, x, s)),
        1 => (by(), i(), url(), 0..4usize).prop_map(|(b, n, u, to)| Op::MoveNumber(b, n, u, to)),
        1 => (actor(), verb(&[Fetch, Rename]), 0..4usize).prop_map(|(b, v, t)| Op::Account(b, v, t)),
        1 => actor().prop_map(Op::ListAccounts),
    ]
}

#[derive(Clone)]
struct Obj {
    sid: String,
    kind: Kind,
    owner: usize,
    alive: bool,
    name: Option<String>,
    /// P's twilio-approved Primary Customer Profile.
    primary: bool,
    /// A document's `address_sids`.
    mentions: Option<String>,
}

#[derive(Clone)]
struct SubObj {
    sid: String,
    kind: Sub,
    bundle: String,
    object: Option<String>,
    alive: bool,
}

/// A live object; set `primary` and `mentions` with struct update syntax.
fn obj(sid: String, kind: Kind, owner: usize, name: Option<String>) -> Obj {
    let (alive, primary, mentions) = (true, false, None);
    Obj {
        sid,
        kind,
        owner,
        alive,
        name,
        primary,
        mentions,
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Want {
    Ok(u16),
    /// Status, code, and a part of the message that identifies the rule ("" = any).
    No(u16, u64, &'static str),
}
/// Another account's v1 object, or a 2010 resource not in the URL's account.
const NOT_FOUND: Want = Want::No(404, 20404, "");
/// A 2010 URL naming an account the caller cannot reach.
const UNREACHABLE: Want = Want::No(401, 20003, "");
/// An object the bundle may not take: another account's reads exactly as an unknown SID.
const INVALID_OBJECT: Want = Want::No(400, 22205, "of this account");
/// A number of the account that is on none of the trust product's profiles.
const NOT_ON_PROFILE: Want = Want::No(400, 22205, "is not assigned to a CustomerProfile");
/// A bundle named as its own object (the same code, another rule).
const ITSELF: Want = Want::No(400, 22205, "cannot be assigned to itself");
const CONFLICT: Want = Want::No(409, 20409, "");

const ADDRESS: [(&str, &str); 6] = [
    ("CustomerName", "Acme"),
    ("Street", "1 Main St"),
    ("City", "San Francisco"),
    ("Region", "CA"),
    ("PostalCode", "94105"),
    ("IsoCountry", "US"),
];

fn ok_if(allowed: bool, status: u16, refusal: Want) -> Want {
    if allowed {
        Want::Ok(status)
    } else {
        refusal
    }
}

fn sid(v: &Value) -> String {
    v["sid"].as_str().unwrap().to_string()
}

type Caller = (usize, bool);

struct World {
    s: Server,
    accounts: Vec<(String, String)>,
    account_names: Vec<String>,
    /// Each actor's API key (sid, secret) while it exists.
    keys: Vec<Option<(String, String)>>,
    objs: Vec<Obj>,
    subs: Vec<SubObj>,
    trace: Vec<String>,
    counter: u32,
    /// The SIDs each actor has sent.
    known: Vec<HashSet<String>>,
}

/// What a step may have changed, verified after it.
#[derive(Default)]
struct Touched {
    objs: Vec<String>,
    kinds: Vec<Kind>,
    subs: Vec<(String, Sub)>,
}

impl World {
    fn fail(&self, msg: String) -> ! {
        panic!("{msg}\nsteps:\n{}", self.trace.join("\n"))
    }
    fn obj(&self, sid: &str) -> Option<&Obj> {
        self.objs.iter().find(|o| o.sid == sid)
    }
    fn owner_of(&self, sid: &str) -> usize {
        self.obj(sid).map_or(usize::MAX, |o| o.owner)
    }
    fn pick(&self, i: usize, f: impl Fn(&Obj) -> bool) -> Option<Obj> {
        let found: Vec<&Obj> = self.objs.iter().filter(|o| f(o)).collect();
        (!found.is_empty()).then(|| found[i % found.len()].clone())
    }
    /// 2010 rule: an account reaches itself, and a parent its subaccounts.
    fn reaches(&self, who: usize, account: usize) -> bool {
        who == account || PARENT[account] == Some(who)
    }
    /// Assigned to a bundle (an entity or bundle), or a bundle's channel endpoint (a number).
    fn held(&self, sid: &str) -> bool {
        self.subs
            .iter()
            .any(|s| s.alive && s.object.as_deref() == Some(sid))
    }
    fn holds(&self, bundle: &str, object: &str) -> bool {
        self.subs
            .iter()
            .any(|s| s.alive && s.bundle == bundle && s.object.as_deref() == Some(object))
    }
    /// An address named by a document of an approved bundle is frozen (21630).
    fn address_locked(&self, ad: &Obj) -> bool {
        let approved = |d: &str| {
            self.subs.iter().any(|s| {
                s.alive
                    && s.object.as_deref() == Some(d)
                    && self.obj(&s.bundle).is_some_and(|b| b.primary)
            })
        };
        self.objs.iter().any(|d| {
            d.alive
                && d.owner == ad.owner
                && d.mentions.as_ref() == Some(&ad.sid)
                && approved(&d.sid)
        })
    }
    /// `/v1/{Collection}[/{sid}]` or `/2010-04-01/Accounts/{account}/{Collection}[/{sid}].json`.
    fn url(&self, kind: Kind, account: usize, sid: &str) -> String {
        let tail = if sid.is_empty() {
            String::new()
        } else {
            format!("/{sid}")
        };
        match kind.api2010() {
            true => format!(
                "/2010-04-01/Accounts/{}/{}{tail}.json",
                self.accounts[account].0,
                kind.collection()
            ),
            false => format!("/v1/{}{tail}", kind.collection()),
        }
    }
    /// "A:IT1a2b3c": owner and SID prefix, for the trace.
    fn label(&self, sid: &str) -> String {
        if let Some(a) = self.accounts.iter().position(|(s, _)| s == sid) {
            return NAMES[a].to_string();
        }
        let sub = self.subs.iter().find(|s| s.sid == sid);
        match self
            .obj(sid)
            .map(|o| o.owner)
            .or_else(|| sub.map(|s| self.owner_of(&s.bundle)))
        {
            Some(owner) => format!("{}:{}", NAMES[owner], &sid[..8]),
            None => sid.to_string(),
        }
    }

    /// Whether `who` may see `sid` in an answer: its own things, what it reaches through
    /// the 2010 API, its parent's primary, and a bundle holding a number it reaches (that
    /// number's `bundle_sid`). Policy, type and untracked SIDs are no secret.
    fn visible(&self, who: usize, sid: &str) -> bool {
        if let Some(o) = self.obj(sid) {
            let numbers = self.subs.iter().filter(|c| {
                c.alive && c.bundle == sid && c.kind == Sub::ChannelEndpointAssignments
            });
            return o.owner == who
                || (o.kind.api2010() && self.reaches(who, o.owner))
                || (o.primary && PARENT[who] == Some(o.owner))
                || numbers
                    .into_iter()
                    .any(|c| self.reaches(who, self.owner_of(c.object.as_deref().unwrap())));
        }
        if let Some(s) = self.subs.iter().find(|s| s.sid == sid) {
            return self.owner_of(&s.bundle) == who;
        }
        match self.accounts.iter().position(|(a, _)| a == sid) {
            Some(a) => self.reaches(who, a) || PARENT[who] == Some(a),
            None => true,
        }
    }

    /// A request of the op (traced); [`Self::look`] is one of the verification.
    async fn act(
        &mut self,
        by: Caller,
        method: &str,
        path: &str,
        form: &[(&str, &str)],
    ) -> (u16, Value) {
        let got = self.look(by, method, path, form).await;
        let key = if by.1 { "/key" } else { "" };
        let mut line = format!("#{} {}{key} {method} {path}", self.trace.len(), NAMES[by.0]);
        for (k, v) in form.iter().filter(|(k, _)| *k != "Attributes") {
            line += &format!(" {k}={v}");
        }
        for sid in sids_in(&line) {
            line = line.replace(&sid, &self.label(&sid));
        }
        self.trace.push(format!("{line} -> {}", got.0));
        got
    }

    /// One request as the caller. Every SID in the answer must be visible to the caller,
    /// or one it has sent itself.
    async fn look(
        &mut self,
        (who, key): Caller,
        method: &str,
        path: &str,
        form: &[(&str, &str)],
    ) -> (u16, Value) {
        // Standard API keys cannot use the Accounts and Keys resources, as at Twilio
        // (tests/hostile/access.rs): the model sends those with the account's token.
        let scoped_out = path.starts_with("/2010-04-01/Accounts")
            && path
                .trim_start_matches("/2010-04-01/Accounts")
                .trim_start_matches('/')
                .split_once('/')
                .is_none_or(|(_, sub)| sub.starts_with("Keys"));
        let (user, pass) = match (&self.keys[who], key && !scoped_out) {
            (Some(k), true) => k.clone(),
            _ => self.accounts[who].clone(),
        };
        self.s.as_account(&user, &pass);
        let got = self.s.call(method, path, form).await;
        // What an account has sent is no secret to it (e.g. an address SID it wrote
        // into a document's attributes, or a SID it probed).
        let asked: Vec<&str> = form.iter().map(|(_, v)| *v).chain([path]).collect();
        self.known[who].extend(sids_in(&asked.join(" ")));
        for sid in sids_in(&got.1.to_string()) {
            if !self.known[who].contains(&sid) && !self.visible(who, &sid) {
                let (l, b) = (self.label(&sid), &got.1);
                self.fail(format!("{} sees {l} in {method} {path}: {b}", NAMES[who]));
            }
        }
        got
    }

    fn expect(&self, got: &(u16, Value), want: Want) {
        let ok = match want {
            Want::Ok(st) => got.0 == st,
            Want::No(st, code, says) => {
                got.0 == st
                    && got.1["code"] == code
                    && got.1["message"].as_str().is_some_and(|m| m.contains(says))
            }
        };
        if !ok {
            self.fail(format!("want {want:?}, got {} {}", got.0, got.1));
        }
    }

    /// Fetch, rename or delete `o`: v1 objects only with their account's credentials;
    /// 2010 ones through a URL naming an account the caller reaches and holding them.
    fn want_touch(&self, who: usize, verb: Verb, o: &Obj, account: usize) -> Want {
        if o.kind.api2010() && !self.reaches(who, account) {
            return UNREACHABLE;
        }
        let home = if o.kind.api2010() { account } else { who };
        if !o.alive || o.owner != home {
            return NOT_FOUND;
        }
        // The owner's own rules, not isolation: what is in use stays.
        let held = self.held(&o.sid);
        match (verb, o.kind) {
            (Verb::Fetch, _) => Want::Ok(200),
            (_, Address) if self.address_locked(o) => Want::No(400, 21630, ""),
            (Verb::Rename, _) => Want::Ok(200),
            (_, EndUser) if held => Want::No(400, 21644, ""),
            (_, Document) if held => Want::No(400, 21645, ""),
            (_, Profile | Product) if held => Want::No(400, 21647, ""),
            (_, Number) if held => CONFLICT,
            _ => Want::Ok(204),
        }
    }

    /// Assigning `o` to bundle `b` (an entity, or a number as channel endpoint).
    fn want_assign(&self, who: usize, b: &Obj, o: &Obj, number: bool) -> Want {
        if !b.alive || b.owner != who {
            return NOT_FOUND;
        }
        if !number && b.primary {
            return CONFLICT; // an approved bundle's entities are frozen
        }
        // Numbers of the bundle's account; the parent's primary also takes its
        // subaccounts'. (Issue 12: the parent's trust products too, once the number is
        // on their profile.)
        let reachable = o.owner == b.owner
            || ((b.primary || b.kind == Product) && PARENT[o.owner] == Some(b.owner));
        // A trust product takes only numbers on one of its profiles: the account's own
        // rule, told apart from isolation by its message.
        if number && o.alive && reachable && b.kind == Product && !self.on_profile(b, o) {
            return NOT_ON_PROFILE;
        }
        let allowed = o.alive
            && if number {
                reachable
            } else {
                // TrustHub objects of the bundle's account (not itself); a subaccount's
                // customer profile also takes its parent's approved primary (its trust
                // products do not: README, "TrustHub linkage rules"). Nothing else.
                (o.owner == b.owner && !o.kind.api2010() && o.kind != Service && o.sid != b.sid)
                    || (o.primary && b.kind == Profile && PARENT[b.owner] == Some(o.owner))
            };
        // A number sits on one Voice Integrity trust product at a time (issue 12).
        let elsewhere = number && b.kind == Product && self.on_other_product(b, o);
        match (allowed, self.holds(&b.sid, &o.sid)) {
            (false, _) if !number && o.sid == b.sid => ITSELF,
            (false, _) => INVALID_OBJECT,
            (true, twice) => ok_if(!twice && !elsewhere, 201, CONFLICT),
        }
    }
    fn on_other_product(&self, tp: &Obj, pn: &Obj) -> bool {
        self.subs.iter().any(|s| {
            s.alive
                && s.bundle != tp.sid
                && s.object.as_deref() == Some(pn.sid.as_str())
                && self.obj(&s.bundle).is_some_and(|b| b.kind == Product)
        })
    }
    fn on_profile(&self, tp: &Obj, pn: &Obj) -> bool {
        let profile = |s: &SubObj| {
            s.object
                .as_deref()
                .and_then(|o| self.obj(o))
                .filter(|c| c.kind == Profile)
        };
        self.subs.iter().any(|s| {
            s.alive && s.bundle == tp.sid && profile(s).is_some_and(|c| self.holds(&c.sid, &pn.sid))
        })
    }

    /// Assigns `o` to `bu` as the caller: an entity, or a number as channel endpoint.
    async fn assign(&mut self, by: Caller, bu: Obj, o: Obj, number: bool) -> Touched {
        let want = self.want_assign(by.0, &bu, &o, number);
        let (sub, form) = match number {
            true => (
                Sub::ChannelEndpointAssignments,
                vec![
                    ("ChannelEndpointType", "phone-number"),
                    ("ChannelEndpointSid", &o.sid),
                ],
            ),
            false => (Sub::EntityAssignments, vec![("ObjectSid", o.sid.as_str())]),
        };
        let path = format!("{}/{sub:?}", self.url(bu.kind, 0, &bu.sid));
        let got = self.act(by, "POST", &path, &form).await;
        self.expect(&got, want);
        if got.0 == 201 {
            let (bundle, object) = (bu.sid.clone(), Some(o.sid.clone()));
            self.subs.push(SubObj {
                sid: sid(&got.1),
                kind: sub,
                bundle,
                object,
                alive: true,
            });
        }
        let (objs, subs) = (vec![o.sid], vec![(bu.sid, sub)]);
        Touched {
            objs,
            subs,
            ..Default::default()
        }
    }

    /// Runs one op, checks the answer against the model and updates the model.
    async fn step(&mut self, op: &Op) -> Touched {
        let mut t = Touched::default();
        let by = |b: &By, owner: usize| (b.0.unwrap_or(owner), b.1);
        let bundle = |w: &World, i: usize| w.pick(i, |o| o.kind.bundle());
        match op {
            Op::Create(b, kind, url) => {
                let (who, key) = by(b, 0);
                // v1 objects belong to the credential's account; 2010 ones to the URL's.
                let owner = if kind.api2010() {
                    url.unwrap_or(who)
                } else {
                    who
                };
                self.counter += 1;
                let (name, e164) = (
                    format!("c{}", self.counter),
                    format!("+1555{:07}", self.counter),
                );
                // A document names the latest address, whoever owns it: documents may name
                // any SID, but only their own account's addresses count (evaluations).
                let ad = self
                    .objs
                    .iter()
                    .rev()
                    .find(|o| o.kind == Address)
                    .unwrap()
                    .sid
                    .clone();
                let attrs = match kind {
                    EndUser => representative(),
                    _ => json!({ "address_sids": ad }),
                }
                .to_string();
                let mut form: Vec<(&str, &str)> = match kind {
                    EndUser => vec![
                        ("Type", "authorized_representative_1"),
                        ("Attributes", &attrs),
                    ],
                    Document => vec![("Type", "customer_profile_address"), ("Attributes", &attrs)],
                    Profile => vec![("Email", "a@b.co"), ("PolicySid", SECONDARY)],
                    Product => vec![("Email", "a@b.co"), ("PolicySid", VOICE_INTEGRITY)],
                    Address => ADDRESS.to_vec(),
                    Number => vec![("PhoneNumber", &e164)],
                    Key | Service => vec![],
                };
                form.push(("FriendlyName", &name));
                let got = self
                    .act((who, key), "POST", &self.url(*kind, owner, ""), &form)
                    .await;
                self.expect(&got, ok_if(self.reaches(who, owner), 201, UNREACHABLE));
                if got.0 == 201 {
                    let mentions = (*kind == Document).then_some(ad);
                    let o = obj(sid(&got.1), *kind, owner, Some(name));
                    self.objs.push(Obj { mentions, ..o });
                    t.objs.push(sid(&got.1));
                }
                t.kinds.push(*kind);
            }
            Op::Touch(b, verb, i, url) => {
                let Some(o) = self.pick(*i, |_| true) else {
                    return t;
                };
                let (who, key) = by(b, o.owner);
                let account = url.unwrap_or(o.owner);
                let want = self.want_touch(who, *verb, &o, account);
                let name = format!("r{}", self.trace.len());
                let (method, form) = match verb {
                    Verb::Fetch => ("GET", vec![]),
                    Verb::Rename => ("POST", vec![("FriendlyName", name.as_str())]),
                    Verb::Delete => ("DELETE", vec![]),
                };
                let got = self
                    .act(
                        (who, key),
                        method,
                        &self.url(o.kind, account, &o.sid),
                        &form,
                    )
                    .await;
                self.expect(&got, want);
                if got.0 == 200 && got.1["sid"] != o.sid.as_str() {
                    self.fail(format!("answered another object: {}", got.1));
                }
                let m = self.objs.iter_mut().find(|m| m.sid == o.sid).unwrap();
                match got.0 {
                    200 if *verb == Verb::Rename => m.name = Some(name),
                    204 => {
                        m.alive = false;
                        // A deleted bundle takes its assignments and evaluations along.
                        self.subs
                            .iter_mut()
                            .filter(|s| s.bundle == o.sid)
                            .for_each(|s| s.alive = false);
                        let gone =
                            |k: &Option<(String, String)>| k.as_ref().is_some_and(|k| k.0 == o.sid);
                        self.keys
                            .iter_mut()
                            .filter(|k| gone(k))
                            .for_each(|k| *k = None);
                    }
                    _ => {}
                }
                if o.kind.bundle() {
                    t.subs.push((o.sid.clone(), Sub::EntityAssignments));
                    t.subs
                        .push((o.sid.clone(), Sub::ChannelEndpointAssignments));
                }
                t.objs.push(o.sid);
                t.kinds.push(o.kind);
            }
            Op::Assign(b, x, i, number, near) => {
                let Some(bu) = bundle(self, *x) else { return t };
                // Near: the bundle owner's own, its parent's (entities) or its subaccounts'
                // (numbers).
                let family = |o: &Obj| match number {
                    _ if o.owner == bu.owner => true,
                    true => PARENT[o.owner] == Some(bu.owner),
                    false => PARENT[bu.owner] == Some(o.owner),
                };
                let candidate = |o: &Obj| (!number || o.kind == Number) && (!near || family(o));
                let Some(o) = self.pick(*i, candidate) else {
                    return t;
                };
                return self.assign(by(b, bu.owner), bu, o, *number).await;
            }
            Op::Evaluate(b, x) => {
                let Some(bu) = bundle(self, *x) else { return t };
                let policy = match (bu.primary, bu.kind) {
                    (true, _) => PRIMARY,
                    (_, Profile) => SECONDARY,
                    _ => VOICE_INTEGRITY,
                };
                let (who, key) = by(b, bu.owner);
                let path = format!("{}/Evaluations", self.url(bu.kind, 0, &bu.sid));
                let got = self
                    .act((who, key), "POST", &path, &[("PolicySid", policy)])
                    .await;
                self.expect(&got, ok_if(bu.alive && bu.owner == who, 201, NOT_FOUND));
                if got.0 == 201 {
                    let (kind, bundle) = (Sub::Evaluations, bu.sid.clone());
                    self.subs.push(SubObj {
                        sid: sid(&got.1),
                        kind,
                        bundle,
                        object: None,
                        alive: true,
                    });
                }
                t.subs.push((bu.sid, Sub::Evaluations));
            }
            Op::TouchSub(b, verb, i, via) => {
                let delete = *verb == Verb::Delete;
                let subs: Vec<&SubObj> = self
                    .subs
                    .iter()
                    .filter(|s| !delete || s.kind != Sub::Evaluations)
                    .collect();
                let Some(s) = subs.get(i % subs.len().max(1)).map(|s| (*s).clone()) else {
                    return t;
                };
                let (who, key) = by(b, self.owner_of(&s.bundle));
                // `via`: one of the caller's own bundles (the likeliest way in), if it has any.
                let own = |v: &usize| self.pick(*v, |o| o.kind.bundle() && o.owner == who);
                let home = || self.obj(&s.bundle).unwrap().clone();
                let bu = via.as_ref().and_then(own).unwrap_or_else(home);
                // Only through the caller's own bundle, and only that bundle's sub-resources.
                let want = match (
                    bu.alive && bu.owner == who && bu.sid == s.bundle && s.alive,
                    delete,
                ) {
                    (false, _) => NOT_FOUND,
                    (true, false) => Want::Ok(200),
                    (true, true) => ok_if(
                        s.kind == Sub::ChannelEndpointAssignments || !bu.primary,
                        204,
                        CONFLICT,
                    ),
                };
                let path = format!("{}/{:?}/{}", self.url(bu.kind, 0, &bu.sid), s.kind, s.sid);
                let got = self
                    .act(
                        (who, key),
                        if delete { "DELETE" } else { "GET" },
                        &path,
                        &[],
                    )
                    .await;
                self.expect(&got, want);
                if got.0 == 204 {
                    self.subs.iter_mut().find(|m| m.sid == s.sid).unwrap().alive = false;
                }
                t.subs.push((s.bundle, s.kind));
            }
            Op::List(b, kind, url) => {
                let (who, key) = by(b, 0);
                self.check_list((who, key), *kind, url.unwrap_or(who), true)
                    .await;
            }
            Op::ListSubs(b, x, sub) => {
                let Some(bu) = bundle(self, *x) else { return t };
                self.check_subs(by(b, bu.owner), &bu.sid, *sub, true).await;
            }
            Op::MoveNumber(b, i, url, to) => {
                let Some(o) = self.pick(*i, |o| o.kind == Number) else {
                    return t;
                };
                let (who, key) = by(b, o.owner);
                let account = url.unwrap_or(o.owner);
                // The caller reaches the URL's account, which holds the number, and the new
                // owner; an assigned number does not move.
                let want = match self.want_touch(who, Verb::Fetch, &o, account) {
                    Want::Ok(_) if *to == o.owner => Want::Ok(200),
                    // A target the caller cannot reach is a bad parameter (400), not bad
                    // credentials: the caller is authenticated.
                    // Twilio's codes: 21474 to the caller's parent, 21473 elsewhere.
                    Want::Ok(_) if PARENT[who] == Some(*to) => Want::No(400, 21474, ""),
                    Want::Ok(_) if !self.reaches(who, *to) => Want::No(400, 21473, ""),
                    Want::Ok(_) => ok_if(!self.held(&o.sid), 200, CONFLICT),
                    refusal => refusal,
                };
                let (path, target) = (
                    self.url(Number, account, &o.sid),
                    self.accounts[*to].0.clone(),
                );
                let got = self
                    .act((who, key), "POST", &path, &[("AccountSid", &target)])
                    .await;
                self.expect(&got, want);
                if got.0 == 200 {
                    self.objs.iter_mut().find(|m| m.sid == o.sid).unwrap().owner = *to;
                }
                t.objs.push(o.sid);
                t.kinds.push(Number);
            }
            Op::Account(b, verb, target) => {
                let (who, key) = by(b, 0);
                let path = format!("/2010-04-01/Accounts/{}.json", self.accounts[*target].0);
                let name = format!("acct{}", self.trace.len());
                let (method, form) = match verb {
                    Verb::Rename => ("POST", vec![("FriendlyName", name.as_str())]),
                    _ => ("GET", vec![]),
                };
                let got = self.act((who, key), method, &path, &form).await;
                self.expect(&got, ok_if(self.reaches(who, *target), 200, UNREACHABLE));
                if got.0 == 200 && *verb == Verb::Rename {
                    self.account_names[*target] = name;
                }
                let (_, own) = self.look((*target, false), "GET", &path, &[]).await;
                if own["friendly_name"] != self.account_names[*target].as_str() {
                    self.fail(format!("account {} is now {own}", NAMES[*target]));
                }
            }
            Op::ListAccounts(b) => {
                let (who, key) = by(b, 0);
                let got = self
                    .act(
                        (who, key),
                        "GET",
                        "/2010-04-01/Accounts.json?PageSize=1000",
                        &[],
                    )
                    .await;
                let want: Vec<String> = (0..4)
                    .filter(|a| self.reaches(who, *a))
                    .map(|a| self.accounts[a].0.clone())
                    .collect();
                self.same_sids(&got.1["accounts"], &want);
            }
        }
        t
    }

    /// The caller's list of `kind` (in `account`'s URL for the 2010 API) holds exactly
    /// what the model says that account owns.
    async fn check_list(&mut self, by: Caller, kind: Kind, account: usize, traced: bool) {
        let owner = if kind.api2010() { account } else { by.0 };
        let path = format!("{}?PageSize=1000", self.url(kind, owner, ""));
        let got = match traced {
            true => self.act(by, "GET", &path, &[]).await,
            false => self.look(by, "GET", &path, &[]).await,
        };
        self.expect(&got, ok_if(self.reaches(by.0, owner), 200, UNREACHABLE));
        if got.0 == 200 {
            let want: Vec<String> = self
                .objs
                .iter()
                .filter(|o| o.alive && o.kind == kind && o.owner == owner)
                .map(|o| o.sid.clone())
                .collect();
            self.same_sids(&got.1[kind.list_key()], &want);
        }
    }

    async fn check_subs(&mut self, by: Caller, bu: &str, sub: Sub, traced: bool) {
        let b = self.obj(bu).unwrap().clone();
        let path = format!("{}/{sub:?}?PageSize=1000", self.url(b.kind, 0, bu));
        let got = match traced {
            true => self.act(by, "GET", &path, &[]).await,
            false => self.look(by, "GET", &path, &[]).await,
        };
        self.expect(&got, ok_if(b.alive && b.owner == by.0, 200, NOT_FOUND));
        if got.0 == 200 {
            let want: Vec<String> = self
                .subs
                .iter()
                .filter(|s| s.alive && s.bundle == bu && s.kind == sub)
                .map(|s| s.sid.clone())
                .collect();
            self.same_sids(&got.1["results"], &want);
        }
    }

    fn same_sids(&self, items: &Value, want: &[String]) {
        let mut got: Vec<&str> = items
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["sid"].as_str().unwrap())
            .collect();
        let mut want: Vec<&str> = want.iter().map(String::as_str).collect();
        got.sort();
        want.sort();
        if got != want {
            let show = |v: &[&str]| {
                v.iter()
                    .map(|s| self.label(s))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            self.fail(format!(
                "list holds [{}], model says [{}]",
                show(&got),
                show(&want)
            ));
        }
    }

    /// After a step: each touched object is as the model says when its owner fetches it,
    /// and every account's own lists of the touched kinds and sub-resources are exact.
    async fn verify(&mut self, t: Touched) {
        for sid in &t.objs {
            let o = self.obj(sid).unwrap().clone();
            let got = self
                .look(
                    (o.owner, false),
                    "GET",
                    &self.url(o.kind, o.owner, sid),
                    &[],
                )
                .await;
            self.expect(&got, ok_if(o.alive, 200, NOT_FOUND));
            if o.alive && o.name.is_some_and(|n| got.1["friendly_name"] != n.as_str()) {
                self.fail(format!(
                    "{} changed behind its owner's back: {}",
                    self.label(sid),
                    got.1
                ));
            }
        }
        for kind in t.kinds {
            for a in 0..4 {
                self.check_list((a, false), kind, a, false).await;
            }
        }
        for (bu, sub) in t.subs {
            self.check_subs((self.owner_of(&bu), false), &bu, sub, false)
                .await;
        }
    }
}

/// Every `XX` + 32 lowercase hex digits token in `text`.
fn sids_in(text: &str) -> Vec<String> {
    let b = text.as_bytes();
    let hex = |c: &u8| c.is_ascii_digit() || (b'a'..=b'f').contains(c);
    let word = |i: usize| b.get(i).is_some_and(|c| c.is_ascii_alphanumeric());
    let at = |i: usize| {
        b[i..i + 2].iter().all(u8::is_ascii_uppercase) && b[i + 2..i + 34].iter().all(hex)
    };
    (0..b.len().saturating_sub(33))
        .filter(|&i| at(i) && (i == 0 || !word(i - 1)) && !word(i + 34))
        .map(|i| text[i..i + 34].to_string())
        .collect()
}

/// A, B and P made by the operator, S by P; each with an API key and a profile holding an
/// end user and a number; P with an approved Primary Customer Profile (and what it holds).
async fn world() -> World {
    let mut s = Server::start();
    let mut accounts = Vec::new();
    for name in &NAMES[..3] {
        let (st, a) = s
            .admin("POST", "/admin/v1/Accounts", &[("FriendlyName", name)])
            .await;
        assert_eq!(st, 201, "{a}");
        accounts.push((sid(&a), a["auth_token"].as_str().unwrap().to_string()));
    }
    s.as_account(&accounts[P].0, &accounts[P].1);
    let sub = s
        .ok("/2010-04-01/Accounts.json", &[("FriendlyName", "S")], 201)
        .await;
    accounts.push((sid(&sub), sub["auth_token"].as_str().unwrap().to_string()));
    let primary = s.approved_primary().await;
    let account_names = NAMES.map(String::from).to_vec();
    let (keys, objs, subs, trace) = (vec![None; 4], vec![], vec![], vec![]);
    let mut w = World {
        s,
        accounts,
        account_names,
        keys,
        objs,
        subs,
        trace,
        counter: 0,
        known: vec![HashSet::new(); 4],
    };
    let name = Some("Parent Inc".to_string());
    w.objs.push(Obj {
        primary: true,
        ..obj(primary.clone(), Profile, P, name)
    });
    // What the primary holds, and the evaluation its submission stored.
    for kind in [EndUser, Document, Address] {
        let (_, list) = w.look((P, false), "GET", &w.url(kind, P, ""), &[]).await;
        for item in list[kind.list_key()].as_array().unwrap() {
            let name = item["friendly_name"].as_str().map(String::from);
            let mentions = item["attributes"]["address_sids"]
                .as_str()
                .map(String::from);
            w.objs.push(Obj {
                mentions,
                ..obj(sid(item), kind, P, name)
            });
        }
    }
    for kind in [Sub::EntityAssignments, Sub::Evaluations] {
        let path = format!("/v1/CustomerProfiles/{primary}/{kind:?}");
        let (_, held) = w.look((P, false), "GET", &path, &[]).await;
        for a in held["results"].as_array().unwrap() {
            let (bundle, object) = (primary.clone(), a["object_sid"].as_str().map(String::from));
            w.subs.push(SubObj {
                sid: sid(a),
                kind,
                bundle,
                object,
                alive: true,
            });
        }
    }
    for a in 0..4 {
        let path = w.url(Key, a, "");
        let (_, k) = w
            .look((a, false), "POST", &path, &[("FriendlyName", "auth")])
            .await;
        w.keys[a] = Some((sid(&k), k["secret"].as_str().unwrap().to_string()));
        w.objs.push(obj(sid(&k), Key, a, Some("auth".into())));
        for kind in [Profile, EndUser, Number] {
            w.step(&Op::Create(By(Some(a), false), kind, None)).await;
        }
        let n = w.objs.len();
        let [bu, eu, pn] = [n - 3, n - 2, n - 1].map(|i| w.objs[i].clone());
        w.assign((a, false), bu.clone(), eu, false).await;
        w.assign((a, false), bu, pn, true).await;
    }
    w
}

fn run<'a>(ops: impl Iterator<Item = &'a Op>) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut w = world().await;
        for op in ops {
            let touched = w.step(op).await;
            w.verify(touched).await;
        }
    });
}

#[test]
fn no_account_reaches_what_it_does_not_own() {
    let mut config = ProptestConfig::default(); // reads PROPTEST_* from the environment
    let unset = |v: &str| std::env::var_os(v).is_none();
    if unset("PROPTEST_CASES") {
        config.cases = 8;
    }
    if unset("PROPTEST_RNG_SEED") {
        config.rng_seed = RngSeed::Fixed(20_100_401);
    }
    if unset("PROPTEST_MAX_SHRINK_ITERS") {
        config.max_shrink_iters = 2000;
    }
    if unset("PROPTEST_MAX_SHRINK_TIME") {
        config.max_shrink_time = 300_000; // ms
    }
    config.failure_persistence = None;
    // Shrinking drops ops (`None`: skipped), so a failing sequence gets below 60 steps.
    let ops = prop::collection::vec(prop::option::weighted(0.97, op().no_shrink()), 60..120);
    // Each failing try while shrinking panics and prints its message; the hook is left
    // alone (it is process-wide: silencing it would hide other tests' failures too).
    let result = TestRunner::new(config).run(&ops, |ops| {
        run(ops.iter().flatten());
        Ok(())
    });
    match result {
        Ok(()) => {}
        Err(TestError::Fail(why, ops)) => {
            let ops: Vec<Op> = ops.into_iter().flatten().collect();
            panic!(
                "{why}\n\nminimal failing input ({} ops): {ops:#?}",
                ops.len()
            )
        }
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn sid_scanner_finds_whole_sids_only() {
    let pn = format!("PN{}", "0a".repeat(16));
    let body = json!({"sid": pn, "url": format!("/Accounts/{pn}.json")}).to_string();
    assert_eq!(sids_in(&body), [pn.clone(), pn.clone()]);
    assert!(sids_in(&format!("X{pn}")).is_empty());
    assert!(sids_in(&format!("{pn}0")).is_empty());
    assert!(sids_in(&pn[..33]).is_empty());
}
