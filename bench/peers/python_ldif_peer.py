"""Benchmark peer: the Send-connector source analysis as consultants script it
today, on the PyPI `ldif` package (LDIFParser), with naive DN splitting.

Prints {"server": ["connector", ...]} as JSON for comparison with exconn.
"""
import json
import sys

from ldif import LDIFParser


def main(path):
    sources = {}
    with open(path, "rb") as export:
        for dn, entry in LDIFParser(export, strict=False).parse():
            classes = [c.lower() for c in entry.get("objectClass", [])]
            if "msexchroutingsmtpconnector" not in classes:
                continue
            if any(str(v).upper() == "TRUE" for v in entry.get("isDeleted", [])):
                continue
            name = (entry.get("cn") or [dn])[0]
            for reference in entry.get("msExchSourceBridgeheadServersDN", []):
                parts = reference.split(",")
                if "CN=Servers" in parts:
                    at = parts.index("CN=Servers")
                    if at > 0:
                        server = parts[at - 1].replace("CN=", "", 1)
                        sources.setdefault(server, set()).add(name)
    print(json.dumps({k: sorted(v) for k, v in sorted(sources.items())}))


if __name__ == "__main__":
    main(sys.argv[1])
