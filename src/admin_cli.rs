//! `trusthub admin …`: the operator API from the command line. Prints the JSON answer.

use anyhow::{bail, Context};

use crate::config::{AccountsCommand, AdminArgs, AdminCommand, ClockCommand, ReviewCommand};

pub async fn run(args: AdminArgs) -> anyhow::Result<()> {
    let base = args.url.trim_end_matches('/').to_string();
    let (method, path, form): (&str, String, Vec<(&str, String)>) = match &args.command {
        AdminCommand::Accounts {
            command: AccountsCommand::Create { friendly_name },
        } => (
            "POST",
            "/admin/v1/Accounts".into(),
            vec![("FriendlyName", friendly_name.clone())],
        ),
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
            ReviewCommand::List { policy } => {
                let q = policy
                    .as_ref()
                    .map(|p| format!("?PolicySid={p}"))
                    .unwrap_or_default();
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
        _ => client.get(&url),
    };
    let resp = req
        .bearer_auth(&args.admin_token)
        .send()
        .await
        .with_context(|| format!("cannot reach {base}"))?;
    let status = resp.status();
    let body: serde_json::Value = resp
        .json()
        .await
        .context("the server's answer is not JSON")?;
    println!("{}", serde_json::to_string_pretty(&body)?);
    if !status.is_success() {
        bail!("{method} {path} failed with HTTP {status}");
    }
    Ok(())
}
