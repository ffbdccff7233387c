//! `trusthub admin …`: the operator API from the command line. Prints the JSON answer.

use anyhow::{bail, Context};
use std::io::Write;

use crate::config::{
    AccountsCommand, AdminArgs, AdminCommand, ClockCommand, FaultCommand, ReviewCommand,
    SnapshotCommand,
};

fn status_change(sid: &str, status: &str) -> (&'static str, String, Vec<(&'static str, String)>) {
    (
        "POST",
        format!("/admin/v1/Accounts/{sid}"),
        vec![("Status", status.to_string())],
    )
}

pub async fn run(args: AdminArgs) -> anyhow::Result<()> {
    let base = args.url.trim_end_matches('/').to_string();
    let (method, path, form): (&str, String, Vec<(&str, String)>) = match &args.command {
        AdminCommand::Accounts { command } => match command {
            AccountsCommand::Create { friendly_name } => (
                "POST",
                "/admin/v1/Accounts".into(),
                vec![("FriendlyName", friendly_name.clone())],
            ),
            AccountsCommand::List { status } => {
                let q = status
                    .as_ref()
                    .map(|s| format!("?Status={s}"))
                    .unwrap_or_default();
                ("GET", format!("/admin/v1/Accounts{q}"), vec![])
            }
            AccountsCommand::Get { sid } => ("GET", format!("/admin/v1/Accounts/{sid}"), vec![]),
            AccountsCommand::Suspend { sid } => status_change(sid, "suspended"),
            AccountsCommand::Activate { sid } => status_change(sid, "active"),
            AccountsCommand::Close { sid } => status_change(sid, "closed"),
            AccountsCommand::RotateToken { sid } => (
                "POST",
                format!("/admin/v1/Accounts/{sid}/RotateAuthToken"),
                vec![],
            ),
        },
        AdminCommand::CreateBundle {
            account,
            policy,
            friendly_name,
            email,
            status_callback,
            trust_product,
        } => {
            let collection = if *trust_product {
                "TrustProducts"
            } else {
                "CustomerProfiles"
            };
            let mut form = vec![
                ("PolicySid", policy.clone()),
                ("FriendlyName", friendly_name.clone()),
                ("Email", email.clone()),
            ];
            if let Some(cb) = status_callback {
                form.push(("StatusCallback", cb.clone()));
            }
            (
                "POST",
                format!("/admin/v1/Accounts/{account}/{collection}"),
                form,
            )
        }
        AdminCommand::Review { command } => match command {
            ReviewCommand::List { policy, kind } => {
                let q = match (policy, kind) {
                    (Some(p), _) => format!("?PolicySid={p}"),
                    (None, Some(k)) => format!("?Kind={k}"),
                    (None, None) => String::new(),
                };
                ("GET", format!("/admin/v1/Reviews{q}"), vec![])
            }
            ReviewCommand::Approve { bundle } => (
                "POST",
                format!("/admin/v1/Reviews/{bundle}"),
                vec![("Decision", "approve".into())],
            ),
            ReviewCommand::Reject {
                bundle,
                reason,
                codes,
            } => (
                "POST",
                format!("/admin/v1/Reviews/{bundle}"),
                vec![
                    ("Decision", "reject".into()),
                    ("FailureReason", reason.clone()),
                    ("ErrorCodes", codes.clone()),
                ],
            ),
        },
        AdminCommand::Events { bundle } => {
            ("GET", format!("/admin/v1/Bundles/{bundle}/Events"), vec![])
        }
        AdminCommand::Reset { account, accounts } => {
            let mut form = vec![];
            if let Some(a) = account {
                form.push(("AccountSid", a.clone()));
            }
            if *accounts {
                form.push(("Accounts", "true".into()));
            }
            ("POST", "/admin/v1/Reset".into(), form)
        }
        AdminCommand::Snapshots { command } => match command {
            SnapshotCommand::Save { name } => (
                "POST",
                "/admin/v1/Snapshots".into(),
                vec![("Name", name.clone())],
            ),
            SnapshotCommand::List => ("GET", "/admin/v1/Snapshots".into(), vec![]),
            SnapshotCommand::Restore { name } => (
                "POST",
                format!("/admin/v1/Snapshots/{name}/Restore"),
                vec![],
            ),
        },
        AdminCommand::Faults { command } => match command {
            FaultCommand::Add {
                path,
                methods,
                count,
                probability,
                status,
                error_code,
                delay_ms,
                drop,
            } => {
                let mut form = vec![("Path", path.clone())];
                let opt = |k, v: Option<String>| v.map(|v| (k, v));
                form.extend(opt("Methods", methods.clone()));
                form.extend(opt("Count", count.map(|v| v.to_string())));
                form.extend(opt("Probability", probability.map(|v| v.to_string())));
                form.extend(opt("Status", status.map(|v| v.to_string())));
                form.extend(opt("ErrorCode", error_code.map(|v| v.to_string())));
                form.extend(opt("DelayMs", delay_ms.map(|v| v.to_string())));
                if *drop {
                    form.push(("Drop", "true".into()));
                }
                ("POST", "/admin/v1/Faults".into(), form)
            }
            FaultCommand::List => ("GET", "/admin/v1/Faults".into(), vec![]),
            FaultCommand::Remove { sid } => ("DELETE", format!("/admin/v1/Faults/{sid}"), vec![]),
        },
        AdminCommand::Requests { account, limit } => {
            let q = account
                .as_ref()
                .map(|a| format!("&AccountSid={a}"))
                .unwrap_or_default();
            (
                "GET",
                format!("/admin/v1/Requests?Limit={limit}{q}"),
                vec![],
            )
        }
        AdminCommand::Audit { account, limit } => {
            let q = account
                .as_ref()
                .map(|a| format!("&AccountSid={a}"))
                .unwrap_or_default();
            ("GET", format!("/admin/v1/Audit?Limit={limit}{q}"), vec![])
        }
        AdminCommand::Clock { command } => match command {
            ClockCommand::Show => ("GET", "/admin/v1/Clock".into(), vec![]),
            ClockCommand::Advance { seconds } => (
                "POST",
                "/admin/v1/Clock".into(),
                vec![("AdvanceSeconds", seconds.to_string())],
            ),
        },
    };
    let client = reqwest::Client::new();
    let url = format!("{base}{path}");
    let req = match method {
        "POST" => client.post(&url).form(&form),
        "DELETE" => client.delete(&url),
        _ => client.get(&url),
    };
    let resp = req
        .bearer_auth(&args.admin_token)
        .send()
        .await
        .with_context(|| format!("cannot reach {base}"))?;
    let status = resp.status();
    let text = resp.text().await.context("reading the server's answer")?;
    // A DELETE answers 204 with no body.
    let body: serde_json::Value = if text.is_empty() {
        serde_json::json!({"status": status.as_u16()})
    } else {
        serde_json::from_str(&text).context("the server's answer is not JSON")?
    };
    // `trusthub admin requests | head`: a reader that stops early is not an error.
    let mut out = std::io::stdout().lock();
    let written =
        writeln!(out, "{}", serde_json::to_string_pretty(&body)?).and_then(|_| out.flush());
    match written {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            return Err(e).context("writing to standard output")
        }
        _ => {}
    }
    if !status.is_success() {
        bail!("{method} {path} failed with HTTP {status}");
    }
    Ok(())
}
