//! Exchange server roles (`msExchCurrentServerRoles`, the cmdlets'
//! `ServerRole`).

/// Server roles: the bits of `msExchCurrentServerRoles`, Exchange's
/// `ServerRole` flags (Exchange 2007 and later; the cmdlets' `ServerRole`
/// names the same flags, and `ConvertTo-Json` writes them as this number).
/// Bits the model does not name (Monitoring 128, ProvisionedServer 4096,
/// LanguagePacks 8192, …) are kept but not shown.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Roles(pub u32);

impl Roles {
    /// `Cafe`: the Exchange 2013 front end, shown as Client Access.
    pub const CAFE: u32 = 1;
    /// `Mailbox`.
    pub const MAILBOX: u32 = 2;
    /// `ClientAccess` (Exchange 2007 and 2010).
    pub const CLIENT_ACCESS: u32 = 4;
    /// `UnifiedMessaging`.
    pub const UNIFIED_MESSAGING: u32 = 16;
    /// `HubTransport` (Exchange 2007 and 2010; set on 2013+ Mailbox servers).
    pub const HUB_TRANSPORT: u32 = 32;
    /// `Edge`: an Edge Transport server (what `Get-EdgeSubscription` tests).
    pub const EDGE: u32 = 64;
    /// `FrontendTransport` (Exchange 2013 and later).
    pub const FRONTEND_TRANSPORT: u32 = 16384;

    /// The role bits as the cmdlet's `ServerRole` names them.
    const CMDLET_NAMES: [(&'static str, u32); 6] = [
        ("mailbox", Roles::MAILBOX),
        ("clientaccess", Roles::CLIENT_ACCESS),
        ("unifiedmessaging", Roles::UNIFIED_MESSAGING),
        ("hubtransport", Roles::HUB_TRANSPORT),
        ("edge", Roles::EDGE),
        ("frontendtransport", Roles::FRONTEND_TRANSPORT),
    ];

    /// Roles from the cmdlet's `ServerRole` text, e.g. `Mailbox, ClientAccess`,
    /// or its number (`ConvertTo-Json` writes enums as numbers: the same bits).
    pub(super) fn from_names(text: &str) -> Roles {
        if let Ok(bits) = text.trim().parse() {
            return Roles(bits);
        }
        let bits = text
            .split(',')
            .filter_map(|name| {
                let name = name.trim();
                Self::CMDLET_NAMES
                    .iter()
                    .find(|(known, _)| name.eq_ignore_ascii_case(known))
                    .map(|(_, bit)| *bit)
            })
            .fold(0, |all, bit| all | bit);
        Roles(bits)
    }

    /// Role bits and names, in the order they are shown.
    pub const NAMES: [(u32, &'static str); 7] = [
        (Roles::CAFE, "Client Access"),
        (Roles::MAILBOX, "Mailbox"),
        (Roles::CLIENT_ACCESS, "Client Access"),
        (Roles::UNIFIED_MESSAGING, "Unified Messaging"),
        (Roles::HUB_TRANSPORT, "Hub Transport"),
        (Roles::EDGE, "Edge Transport"),
        (Roles::FRONTEND_TRANSPORT, "Front End Transport"),
    ];

    /// The names of the roles set. The Exchange 2013 front-end bit
    /// ([`Roles::CAFE`]) is Client Access too: it is named only when
    /// [`Roles::CLIENT_ACCESS`] is not set.
    pub fn names(self) -> Vec<&'static str> {
        let cafe_only = self.0 & Roles::CLIENT_ACCESS == 0;
        Self::NAMES
            .iter()
            .filter(|(bit, _)| self.0 & bit != 0 && (*bit != Roles::CAFE || cafe_only))
            .map(|(_, name)| *name)
            .collect()
    }

    /// An Edge Transport server ([`Roles::EDGE`]).
    pub fn is_edge(self) -> bool {
        self.0 & Roles::EDGE != 0
    }

    /// These roles with `bits` set too.
    pub fn with(self, bits: u32) -> Roles {
        Roles(self.0 | bits)
    }
}
