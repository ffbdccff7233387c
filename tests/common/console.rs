//! Console helpers over plain HTTP: cookies, CSRF tokens, signing in, the business form.

/// A client that does not follow redirects (the console answers 303s worth checking).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The `name=value` of the console cookie a response sets, if any.
pub fn cookie_of(resp: &reqwest::Response) -> Option<String> {
    resp.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("trusthub_console="))
        .map(|v| v.split(';').next().unwrap().to_string())
}

/// The sign-in page's cookie (`trusthub_sign_in=…`), which its form's token is bound to.
pub fn sign_in_cookie_of(resp: &reqwest::Response) -> Option<String> {
    resp.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("trusthub_sign_in="))
        .map(|v| v.split(';').next().unwrap().to_string())
}

/// The CSRF token of the first form on a page.
pub fn csrf_of(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a csrf field") + 19;
    html[at..at + html[at..].find('"').unwrap()].to_string()
}

/// The one-time id (`form_id`) of the Primary-profile form on a page.
pub fn form_id_of(html: &str) -> String {
    let at = html
        .find("name=\"form_id\" value=\"")
        .expect("a form_id field")
        + 22;
    html[at..at + html[at..].find('"').unwrap()].to_string()
}

/// Signs in as `sid`/`token` on `base`; the session cookie.
pub async fn sign_in(http: &reqwest::Client, base: &str, sid: &str, token: &str) -> String {
    sign_in_with(http, base, &[("user", sid), ("secret", token)], "signed in").await
}

/// Signs in to the console as the operator (`role=operator`); the session cookie.
pub async fn operator_sign_in(http: &reqwest::Client, base: &str, token: &str) -> String {
    let form = [("role", "operator"), ("secret", token)];
    sign_in_with(http, base, &form, "signed in as the operator").await
}

/// Opens the sign-in page and sends `form` with its token and cookie; the session cookie.
async fn sign_in_with(
    http: &reqwest::Client,
    base: &str,
    form: &[(&str, &str)],
    what: &str,
) -> String {
    let page = http
        .get(format!("{base}/console/sign-in"))
        .send()
        .await
        .unwrap();
    let cookie = sign_in_cookie_of(&page).expect("the sign-in page sets a cookie");
    let csrf = csrf_of(&page.text().await.unwrap());
    let mut fields = vec![("csrf", csrf.as_str())];
    fields.extend_from_slice(form);
    let resp = http
        .post(format!("{base}/console/sign-in"))
        .header("cookie", &cookie)
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303, "{what}");
    cookie_of(&resp).expect("a new session cookie at sign-in")
}

/// GET `path` with `cookie`: the status and the body.
pub async fn page(http: &reqwest::Client, url: &str, cookie: &str) -> (u16, String) {
    let resp = http.get(url).header("cookie", cookie).send().await.unwrap();
    (resp.status().as_u16(), resp.text().await.unwrap())
}

/// POST `form` to `url` with `cookie` (add the `csrf` field yourself): the status and the
/// redirect target (`Location`), if any.
pub async fn post(
    http: &reqwest::Client,
    url: &str,
    cookie: &str,
    form: &[(&str, &str)],
) -> (u16, Option<String>) {
    let resp = http
        .post(url)
        .header("cookie", cookie)
        .form(form)
        .send()
        .await
        .unwrap();
    let location = resp
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_string());
    (resp.status().as_u16(), location)
}

const BI: &str = "customer_profile_business_information";
const AR1: &str = "authorized_representative_1";

/// A complete Primary business form (what `tests/console/lib.js` fills in), submitted.
pub fn business_form(name: &str) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = [
        ("profile.email", "ops@acme.example.com"),
        ("address.street", "1 Main Street"),
        ("address.city", "San Francisco"),
        ("address.region", "CA"),
        ("address.postal_code", "94105"),
        ("address.iso_country", "US"),
        ("action", "submit"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    for (k, val) in [
        ("business_name", name),
        ("business_registration_number", "123456789"),
        ("website_url", "https://acme.example.com"),
        ("business_type", "Corporation"),
        ("business_registration_identifier", "EIN"),
        ("business_identity", "direct_customer"),
        ("business_industry", "TECHNOLOGY"),
        ("business_regions_of_operation", "USA_AND_CANADA"),
    ] {
        v.push((format!("{BI}.{k}"), val.to_string()));
    }
    for (k, val) in [
        ("first_name", "Ada"),
        ("last_name", "Lovelace"),
        ("email", "ada@acme.example.com"),
        ("phone_number", "+15555550100"),
        ("business_title", "Chief Executive"),
        ("job_position", "CEO"),
    ] {
        v.push((format!("{AR1}.{k}"), val.to_string()));
    }
    v
}

/// Starts a Customers inquiry through the API of `server`: (inquiry id, page url).
pub async fn start_inquiry(server: &super::Server) -> (String, String) {
    let (st, b) = server
        .post(
            "/v1/ComplianceInquiries/Customers/Initialize",
            &[("NotificationEmail", "isv@acme.example.com")],
        )
        .await;
    assert_eq!(st, 201, "{b}");
    (
        b["inquiry_id"].as_str().unwrap().to_string(),
        b["url"].as_str().unwrap().to_string(),
    )
}

/// Opens an inquiry's page with its token: the session cookie and the form's CSRF token.
pub async fn open_inquiry(http: &reqwest::Client, url: &str) -> (String, String) {
    let resp = http.get(url).send().await.unwrap();
    assert_eq!(resp.status(), 200, "the inquiry page opens");
    let cookie = cookie_of(&resp).expect("an inquiry session cookie");
    let html = resp.text().await.unwrap();
    assert!(html.contains("isv@acme.example.com"), "prefilled");
    (cookie, csrf_of(&html))
}

/// Sends the inquiry's completed form to `base`; the status and the page.
pub async fn complete_inquiry(
    http: &reqwest::Client,
    base: &str,
    id: &str,
    cookie: &str,
    csrf: &str,
    name: &str,
) -> (u16, String) {
    let mut form = business_form(name);
    form.push(("csrf".into(), csrf.into()));
    let resp = http
        .post(format!("{base}/console/inquiries/{id}"))
        .header("cookie", cookie)
        .form(&form)
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.text().await.unwrap())
}

/// The BU… SID a "Thank you" page names.
pub fn bundle_of(html: &str) -> String {
    assert!(html.contains("Thank you"), "a finished inquiry: {html}");
    let at = html.find("BU").expect("a bundle SID");
    html[at..at + 34].to_string()
}
