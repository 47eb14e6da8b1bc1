"""Benchmark peer: the Send-connector source analysis as a careful consultant
scripts it, on the PyPI `ldif` package (LDIFParser) and python-ldap's
`ldap.dn.str2dn` (Debian package python3-ldap, or `pip install python-ldap`).

For every live SMTP Send connector (objectClass msExchRoutingSMTPConnector,
not isDeleted: TRUE), each msExchSourceBridgeheadServersDN value is parsed
into RDNs; the RDN directly under the `cn=Servers` container is the source
server (the value is usually the server's SMTP virtual server, sometimes the
server itself). Attribute names, attribute types and values are compared
case-insensitively. Active Directory's extended form (`<GUID=...>;<SID=...>;`
before the DN) is stripped first. References to deleted objects (a mangled `\\0ADEL:` RDN,
or under `cn=Deleted Objects`) and references that are not DNs are skipped
and counted on stderr.

Prints {"server": ["connector", ...]} as JSON for comparison with exconn.
"""
import json
import re
import sys

import ldap
import ldap.dn
from ldif import LDIFParser


def attribute(entry, name):
    """The values of an attribute, whatever the case of its name."""
    return [v for k, values in entry.items() if k.casefold() == name for v in values]


# Active Directory's extended DN: `<GUID=...>;<SID=...>;` before the DN proper.
EXTENDED_PREFIX = re.compile(r"^(<[^>]*>;)+")


def server_of(reference):
    """The name of the server a DN points at or under, or a reason for none."""
    try:
        rdns = ldap.dn.str2dn(EXTENDED_PREFIX.sub("", reference))
    except (ldap.DECODING_ERROR, TypeError):
        return None, "not a DN"
    folded = [[(t.casefold(), v.casefold()) for t, v, _ in rdn] for rdn in rdns]
    if any("\ndel:" in v for rdn in folded for _, v in rdn) or [
        ("cn", "deleted objects")
    ] in folded:
        return None, "deleted object"
    # The Servers container nearest the root: a server could be named Servers.
    for at in range(len(folded) - 1, 0, -1):
        if folded[at] == [("cn", "servers")]:
            names = [v for t, v, _ in rdns[at - 1] if t.casefold() == "cn"]
            if names:
                return names[0], None
    return None, "not under cn=Servers"


def main(path):
    sources = {}  # casefolded server name -> (name as first seen, connectors)
    skipped = {}
    with open(path, "rb") as export:
        for dn, entry in LDIFParser(export, strict=False).parse():
            classes = [str(c).casefold() for c in attribute(entry, "objectclass")]
            if "msexchroutingsmtpconnector" not in classes:
                continue
            if any(str(v).upper() == "TRUE" for v in attribute(entry, "isdeleted")):
                continue
            names = attribute(entry, "cn")
            if names:
                name = names[0]
            else:
                try:
                    name = ldap.dn.str2dn(dn)[0][0][1]
                except (ldap.DECODING_ERROR, IndexError, TypeError):
                    name = dn
            for reference in attribute(entry, "msexchsourcebridgeheadserversdn"):
                server, reason = server_of(reference)
                if server is None:
                    skipped[reason] = skipped.get(reason, 0) + 1
                    if reason == "not a DN" and skipped[reason] <= 3:
                        print("not a DN: %r" % reference, file=sys.stderr)
                    continue
                sources.setdefault(server.casefold(), (server, set()))[1].add(name)
    for reason, count in sorted(skipped.items()):
        print("%d source references skipped: %s" % (count, reason), file=sys.stderr)
    print(json.dumps({name: sorted(c) for name, c in sorted(sources.values())}))


if __name__ == "__main__":
    main(sys.argv[1])
