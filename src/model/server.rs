//! Exchange servers (`msExchExchangeServer`, `Get-ExchangeServer`).

use uuid::Uuid;

use super::attributes as attr;
use super::fields::{first, flag, number, texts};
use super::guid::object_guid;
use super::{Changed, Roles, Version};
use crate::dn::{Dn, Mangling};
use crate::record::Record;

/// An Exchange server (`msExchExchangeServer`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Server {
    /// The server's name (its `cn`).
    pub name: String,
    /// Its DN.
    pub dn: Dn,
    /// Build, from `serialNumber` or else `versionNumber`.
    pub version: Option<Version>,
    /// Roles, when `msExchCurrentServerRoles` is present (Exchange 2007+).
    pub roles: Option<Roles>,
    /// AD site name, from `msExchServerSite`.
    pub site: Option<String>,
    /// FQDN, from the `ncacn_ip_tcp:` value of `networkAddress`.
    pub fqdn: Option<String>,
    /// `objectGUID` (`Guid` in cmdlet output).
    pub guid: Option<Uuid>,
    /// Its name carries conflict mangling (`\\0ACNF:`): the directory holds
    /// another object made as the same one. Kept apart from the DN, which
    /// redaction rewrites.
    pub conflict: bool,
    /// When it last changed, as the record says.
    pub changed: Changed,
}

impl Server {
    /// An Edge Transport server.
    pub fn is_edge(&self) -> bool {
        self.roles.is_some_and(Roles::is_edge)
    }
}

pub(super) fn from_record(record: &Record, dn: Dn, name: String) -> Server {
    let conflict = dn.mangling() == Some(Mangling::Conflict);
    let version = first(record, attr::SERIAL_NUMBER)
        .and_then(|text| Version::from_serial_number(&text))
        .or_else(|| number(record, attr::VERSION_NUMBER).and_then(Version::from_version_number));
    let mut roles = number(record, attr::SERVER_ROLES)
        .and_then(|v| u32::try_from(v).ok())
        .map(Roles)
        .or_else(|| first(record, attr::SERVER_ROLE_NAMES).map(|text| Roles::from_names(&text)));
    if flag(record, attr::IS_EDGE_SERVER) == Some(true) {
        roles = Some(roles.unwrap_or_default().with(Roles::EDGE));
    }
    let site = first(record, attr::SERVER_SITE).map(|site| match Dn::parse(&site) {
        Ok(dn) if !dn.is_root() => dn
            .leaf()
            .and_then(|rdn| rdn.value_text())
            .unwrap_or(&site)
            .to_owned(),
        // The cmdlet's canonical form: contoso.com/Configuration/Sites/Paris.
        _ => site.rsplit('/').next().unwrap_or(&site).to_owned(),
    });
    let fqdn = texts(record, attr::NETWORK_ADDRESS)
        .iter()
        .find_map(|address| {
            let (protocol, host) = address.split_once(':')?;
            protocol
                .eq_ignore_ascii_case("ncacn_ip_tcp")
                .then(|| host.trim().to_owned())
        })
        .or_else(|| first(record, attr::SERVER_FQDN));
    Server {
        name,
        dn,
        version,
        roles,
        site,
        fqdn,
        guid: object_guid(record),
        conflict,
        changed: Changed::of(record),
    }
}
