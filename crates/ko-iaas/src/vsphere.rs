//! What a vSphere endpoint (vCenter) holds, read over its SOAP API: the datacenters, and in one of
//! them the compute resources (clusters, standalone hosts), their resource pools, datastores,
//! networks and VM templates — the region check and a zone's choices. Requests speak API version
//! 6.7 (answered by vSphere 6.7 to 8).

use crate::http::{Endpoint, Response};
use crate::{Error, Result};
use serde::Serialize;
use std::collections::HashMap;

const SOAP_ACTION: &str = "urn:vim25/6.7";

/// The SHA-256 fingerprint of the certificate `host:port` presents (the first contact: shown to
/// the user, who decides to trust it).
pub fn fingerprint(host: &str, port: u16) -> Result<String> {
    let endpoint = Endpoint { host: host.into(), port, pinned: None };
    let (_, seen) = endpoint.request("POST", "/sdk", &headers(None), &envelope(SERVICE_CONTENT))?;
    Ok(seen)
}

/// What the endpoint is and what its datacenters are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct About {
    /// Its product and version (`VMware vCenter Server 8.0.2 build-...`).
    pub product: String,
    /// Its datacenters.
    pub datacenters: Vec<String>,
}

/// What a datacenter offers a zone.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Inventory {
    /// Clusters and standalone hosts.
    pub compute: Vec<String>,
    /// Resource pools as Terraform names them (`CLUSTER/Resources`, `HOST/Resources/child`).
    pub resource_pools: Vec<String>,
    /// Datastores.
    pub datastores: Vec<String>,
    /// Networks (port groups, distributed port groups).
    pub networks: Vec<String>,
    /// VMs marked as templates.
    pub templates: Vec<String>,
}

/// A logged-in session (its cookie) with the endpoint's service objects.
pub struct Session {
    endpoint: Endpoint,
    cookie: String,
    content: HashMap<String, String>,
    /// The product and version.
    pub product: String,
}

fn headers(cookie: Option<&str>) -> Vec<(&str, &str)> {
    let mut h = vec![("Content-Type", "text/xml; charset=utf-8"), ("SOAPAction", SOAP_ACTION)];
    if let Some(c) = cookie {
        h.push(("Cookie", c));
    }
    h
}

const SERVICE_CONTENT: &str = r#"<RetrieveServiceContent xmlns="urn:vim25"><_this type="ServiceInstance">ServiceInstance</_this></RetrieveServiceContent>"#;

fn envelope(body: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>"#
    )
}

/// `text` safe inside an XML element.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&apos;")
}

/// The text of the first element named `name` under `node`.
fn child_text<'a>(node: roxmltree::Node<'a, 'a>, name: &str) -> Option<&'a str> {
    node.descendants().find(|n| n.has_tag_name(name)).and_then(|n| n.text())
}

impl Session {
    /// Logs in to `host:port` as `user`; the certificate must have `fingerprint`.
    pub fn login(host: &str, port: u16, fingerprint: &str, user: &str, password: &str) -> Result<Self> {
        let endpoint = Endpoint { host: host.into(), port, pinned: Some(fingerprint.into()) };
        let mut s = Self { endpoint, cookie: String::new(), content: HashMap::new(), product: String::new() };
        let answer = s.call(SERVICE_CONTENT)?;
        let doc = s.xml(&answer.body)?;
        let ret =
            doc.descendants().find(|n| n.has_tag_name("returnval")).ok_or_else(|| s.protocol("no service content"))?;
        for key in ["rootFolder", "propertyCollector", "viewManager", "sessionManager"] {
            let value = child_text(ret, key).ok_or_else(|| s.protocol(&format!("no {key} in the service content")))?;
            s.content.insert(key.into(), value.into());
        }
        s.product = child_text(ret, "fullName").unwrap_or_default().to_string();
        let login = format!(
            r#"<Login xmlns="urn:vim25"><_this type="SessionManager">{}</_this><userName>{}</userName><password>{}</password></Login>"#,
            escape(&s.content["sessionManager"]),
            escape(user),
            escape(password)
        );
        let answer = s.call(&login).map_err(|e| match e {
            Error::Protocol { endpoint, message } => Error::LoginRefused { endpoint, message },
            other => other,
        })?;
        s.cookie = answer
            .cookies
            .into_iter()
            .find(|c| c.starts_with("vmware_soap_session"))
            .ok_or_else(|| s.protocol("the login answered without a session cookie"))?;
        Ok(s)
    }

    fn protocol(&self, message: &str) -> Error {
        Error::Protocol { endpoint: self.endpoint.label(), message: message.into() }
    }

    fn xml<'a>(&self, body: &'a str) -> Result<roxmltree::Document<'a>> {
        roxmltree::Document::parse(body).map_err(|e| self.protocol(&format!("not XML: {e}")))
    }

    /// One SOAP call; a fault is an error with its `faultstring`.
    fn call(&self, body: &str) -> Result<Response> {
        let cookie = (!self.cookie.is_empty()).then_some(self.cookie.as_str());
        let (answer, _) = self.endpoint.request("POST", "/sdk", &headers(cookie), &envelope(body))?;
        if answer.status != 200 {
            let doc = self.xml(&answer.body)?;
            let fault = doc
                .descendants()
                .find(|n| n.has_tag_name("faultstring"))
                .and_then(|n| n.text())
                .unwrap_or("an error without a message");
            return Err(self.protocol(&format!("{fault} (HTTP {})", answer.status)));
        }
        Ok(answer)
    }

    /// The objects of `kinds` (type and properties to read) under `container` (`type`, id).
    fn objects(&self, container: (&str, &str), kinds: &[(&str, &[&str])]) -> Result<Vec<Object>> {
        let types: String = kinds.iter().map(|(t, _)| format!("<type>{t}</type>")).collect();
        let view = format!(
            r#"<CreateContainerView xmlns="urn:vim25"><_this type="ViewManager">{}</_this><container type="{}">{}</container>{types}<recursive>true</recursive></CreateContainerView>"#,
            escape(&self.content["viewManager"]),
            container.0,
            escape(container.1)
        );
        let answer = self.call(&view)?;
        let doc = self.xml(&answer.body)?;
        let view = child_text(doc.root(), "returnval").ok_or_else(|| self.protocol("no container view"))?.to_string();
        let props: String = kinds
            .iter()
            .map(|(t, paths)| {
                let paths: String = paths.iter().map(|p| format!("<pathSet>{p}</pathSet>")).collect();
                format!("<propSet><type>{t}</type>{paths}</propSet>")
            })
            .collect();
        let pc = escape(&self.content["propertyCollector"]);
        let mut request = format!(
            r#"<RetrievePropertiesEx xmlns="urn:vim25"><_this type="PropertyCollector">{pc}</_this><specSet>{props}<objectSet><obj type="ContainerView">{}</obj><skip>true</skip><selectSet xsi:type="TraversalSpec"><name>view</name><type>ContainerView</type><path>view</path><skip>false</skip></selectSet></objectSet></specSet><options><maxObjects>500</maxObjects></options></RetrievePropertiesEx>"#,
            escape(&view)
        );
        let mut all = Vec::new();
        loop {
            let answer = self.call(&request)?;
            let doc = self.xml(&answer.body)?;
            for o in doc.descendants().filter(|n| n.has_tag_name("objects")) {
                let Some(obj) = o.children().find(|n| n.has_tag_name("obj")) else { continue };
                let mut props = HashMap::new();
                for p in o.children().filter(|n| n.has_tag_name("propSet")) {
                    if let (Some(name), Some(val)) = (child_text(p, "name"), child_text(p, "val")) {
                        props.insert(name.to_string(), val.to_string());
                    }
                }
                all.push(Object {
                    kind: obj.attribute("type").unwrap_or_default().to_string(),
                    id: obj.text().unwrap_or_default().to_string(),
                    props,
                });
            }
            match child_text(doc.root(), "token") {
                Some(token) => {
                    request = format!(
                        r#"<ContinueRetrievePropertiesEx xmlns="urn:vim25"><_this type="PropertyCollector">{pc}</_this><token>{}</token></ContinueRetrievePropertiesEx>"#,
                        escape(token)
                    )
                }
                None => break,
            }
        }
        let destroy = format!(
            r#"<DestroyView xmlns="urn:vim25"><_this type="ContainerView">{}</_this></DestroyView>"#,
            escape(&view)
        );
        // a view left behind goes with the session
        let _ = self.call(&destroy);
        Ok(all)
    }

    /// The product and its datacenters.
    pub fn about(&self) -> Result<About> {
        let root = self.content["rootFolder"].clone();
        let mut datacenters: Vec<String> = self
            .objects(("Folder", &root), &[("Datacenter", &["name"])])?
            .into_iter()
            .filter_map(|o| o.props.get("name").cloned())
            .collect();
        datacenters.sort();
        Ok(About { product: self.product.clone(), datacenters })
    }

    /// What datacenter `name` offers a zone.
    pub fn inventory(&self, datacenter: &str) -> Result<Inventory> {
        let root = self.content["rootFolder"].clone();
        let dcs = self.objects(("Folder", &root), &[("Datacenter", &["name"])])?;
        let Some(dc) = dcs.iter().find(|o| o.props.get("name").map(String::as_str) == Some(datacenter)) else {
            let mut has: Vec<&str> = dcs.iter().filter_map(|o| o.props.get("name").map(String::as_str)).collect();
            has.sort_unstable();
            return Err(Error::NotFound {
                endpoint: self.endpoint.label(),
                kind: "datacenter",
                name: datacenter.into(),
                has: has.join(", "),
            });
        };
        let all = self.objects(
            ("Datacenter", &dc.id),
            &[
                ("ComputeResource", &["name"]),
                ("ResourcePool", &["name", "parent"]),
                ("Datastore", &["name"]),
                ("Network", &["name"]),
                ("VirtualMachine", &["name", "config.template"]),
            ],
        )?;
        let name_of: HashMap<&str, &str> =
            all.iter().filter_map(|o| o.props.get("name").map(|n| (o.id.as_str(), n.as_str()))).collect();
        let pools: HashMap<&str, &Object> =
            all.iter().filter(|o| o.kind == "ResourcePool").map(|o| (o.id.as_str(), o)).collect();
        let names = |kind: &str| -> Vec<String> {
            let mut v: Vec<String> =
                all.iter().filter(|o| o.kind.ends_with(kind)).filter_map(|o| o.props.get("name").cloned()).collect();
            v.sort();
            v.dedup();
            v
        };
        let mut inv = Inventory {
            compute: names("ComputeResource"),
            resource_pools: pools.values().map(|p| pool_path(p, &pools, &name_of)).collect(),
            datastores: names("Datastore"),
            networks: all
                .iter()
                .filter(|o| o.kind.ends_with("Network") || o.kind.ends_with("Portgroup"))
                .filter_map(|o| o.props.get("name").cloned())
                .collect(),
            templates: all
                .iter()
                .filter(|o| {
                    o.kind == "VirtualMachine" && o.props.get("config.template").map(String::as_str) == Some("true")
                })
                .filter_map(|o| o.props.get("name").cloned())
                .collect(),
        };
        for v in [&mut inv.resource_pools, &mut inv.networks, &mut inv.templates] {
            v.sort();
            v.dedup();
        }
        Ok(inv)
    }
}

/// A resource pool's name as Terraform takes it: its compute resource, then each pool from the
/// root pool down (`DC0_H0/Resources/web`).
fn pool_path<'a>(mut pool: &'a Object, pools: &HashMap<&'a str, &'a Object>, name_of: &HashMap<&str, &str>) -> String {
    let mut parts = vec![pool.props.get("name").cloned().unwrap_or_default()];
    while let Some(parent) = pool.props.get("parent") {
        match pools.get(parent.as_str()) {
            Some(p) => {
                parts.push(p.props.get("name").cloned().unwrap_or_default());
                pool = p;
            }
            None => {
                parts.push(name_of.get(parent.as_str()).copied().unwrap_or("?").to_string());
                break;
            }
        }
    }
    parts.reverse();
    parts.join("/")
}

/// A managed object with the properties read.
struct Object {
    kind: String,
    id: String,
    props: HashMap<String, String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_escaped_inside_elements() {
        assert_eq!(escape(r#"p<a>&"s'"#), "p&lt;a&gt;&amp;&quot;s&apos;");
    }
}
