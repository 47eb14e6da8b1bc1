#!/usr/bin/env bash
# Builds each fuzz target's seed corpus in fuzz/corpus/<target>/ from the
# project's fixtures and the shared conformance corpus (read, never copied
# into git: fuzz/corpus is ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
shared="${EXCONN_CORPUS:-../shared/corpus}"
seed() { # target, files...
  local target=$1; shift
  mkdir -p "fuzz/corpus/$target"
  for f in "$@"; do
    [[ -f $f ]] || continue
    # Small seeds fuzz faster; larger files are cut to their first 16 KiB.
    head -c 16384 "$f" > "fuzz/corpus/$target/$(sha1sum "$f" | cut -c1-16)"
  done
}
mapfile -t ldif < <(find fixtures "$shared" -name '*.ldif' 2>/dev/null)
mapfile -t xml < <(find fixtures "$shared" \( -name '*.xml' -o -name '*.dsml' \) 2>/dev/null)
mapfile -t dsml < <(grep -lis 'dsml' "${xml[@]}" 2>/dev/null || true)
mapfile -t clixml < <(grep -lis '<Objs' "${xml[@]}" 2>/dev/null || true)
seed ldif "${ldif[@]}"
seed dsml "${dsml[@]}"
seed clixml "${clixml[@]}"
seed pipeline "${ldif[@]}" "${xml[@]}"
# Shapes the fixtures lack: a Ref chain whose two RefIds take turns, objects
# reached again through Refs (and a top-level Ref), attribute names over 1 KiB.
gen() { # target, name, text
  mkdir -p "fuzz/corpus/$1"
  printf '%s' "$3" > "fuzz/corpus/$1/$2"
}
objs='<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">'
chain='<Obj RefId="id0"><TN RefId="t"><T>Microsoft.Exchange.Data.Directory.ADObjectId</T></TN><Props /></Obj>'
for n in $(seq 1 60); do
  chain+="<Obj RefId=\"id$((n % 2))\"><TNRef RefId=\"t\" /><Props><Ref N=\"Parent\" RefId=\"id$(((n - 1) % 2))\" /></Props></Obj>"
done
gen clixml ref-chain "$objs$chain</Objs>"
shared='<Obj RefId="0"><TN RefId="t"><T>X</T></TN><Props><S N="DistinguishedName">CN=o0,DC=x</S><Obj N="Members" RefId="l"><TN RefId="l"><T>L</T></TN><LST><S>a</S><S>b</S><Obj RefId="i"><TNRef RefId="t" /><Props><S N="DistinguishedName">CN=i,DC=x</S></Props></Obj></LST></Obj></Props></Obj>'
for n in $(seq 1 20); do
  shared+="<Obj RefId=\"$n\"><TNRef RefId=\"t\" /><Props><S N=\"DistinguishedName\">CN=o$n,DC=x</S><Ref N=\"Members\" RefId=\"l\" /><Ref N=\"Prev\" RefId=\"$((n - 1))\" /></Props></Obj>"
done
gen clixml shared-refs "$objs$shared<Ref RefId=\"3\" /></Objs>"
long="cn;x-$(printf 'a%.0s' $(seq 1 1100))"
gen clixml long-name "$objs<Obj RefId=\"0\"><TN RefId=\"t\"><T>X</T></TN><Props><S N=\"DistinguishedName\">CN=a,DC=x</S><Obj N=\"$long\" RefId=\"1\"><TNRef RefId=\"t\" /><LST><S>v</S><S>w</S></LST></Obj></Props></Obj></Objs>"
gen dsml long-name "<batchResponse xmlns=\"urn:oasis:names:tc:DSML:2:0:core\"><searchResponse><searchResultEntry dn=\"CN=a,DC=x\"><attr name=\"cn\"><value>a</value></attr><attr name=\"$long\"><value>v</value><value/></attr></searchResultEntry><searchResultDone><resultCode code=\"0\" descr=\"success\"/></searchResultDone></searchResponse></batchResponse>"
# Inputs that are not whole: ldapsearch stopped by a limit or short of its
# trailer's count, a file cut inside a base64 value, exact copies of one record.
capped=$'# extended LDIF\n\ndn: cn=a,dc=x\ncn: a\n\n# search result\nsearch: 2\nresult: 4 Size limit exceeded\n\n# numResponses: 2\n# numEntries: 3\n'
gen ldif ldapsearch-capped "$capped"
gen pipeline ldapsearch-capped "$capped"
gen ldif cut-base64 $'dn: cn=a,dc=x\nobjectClass: msExchRoutingSMTPConnector\nmsExchSourceBridgeheadServersDN:: Q049MSxDTj1TTVRQLENO'
copy=$'dn: CN=Out,CN=Connections,CN=RG,DC=x\nobjectClass: msExchRoutingSMTPConnector\ncn: Out\nwhenChanged: 20251103091200.0Z\n\n'
gen pipeline copies "$copy$copy$copy"
# csvde: DNs and multi-valued DNs quoted, a quoted field across lines, a
# binary value, a row of the wrong width, a file cut inside a quoted field.
csvde=$'DN,objectClass,cn,msExchSourceBridgeheadServersDN,objectGUID,description\r\n'
csvde+=$'"CN=Out,CN=Connections,CN=RG,DC=x",top;msExchRoutingSMTPConnector,Out,"CN=EX1,CN=Servers,DC=x;CN=EX\\;2,CN=Servers,DC=x",X\'00ff10\',"two\r\nlines ""quoted"""\r\n'
csvde+=$'"CN=EX1,CN=Servers,DC=x",msExchExchangeServer,EX1,,,\r\n"CN=Bad,DC=x",top,extra\r\n'
gen csvde sample "$csvde"
gen csvde cut "$csvde\"CN=Cut,DC="
gen pipeline csvde "$csvde"
# Cmdlet output as text: 5.1's wrapped array, a type name where the depth
# cut, a date, a document cut short; Export-Csv with #TYPE, joined values and
# a collection's type name.
json=$'[\r\n    {\r\n        "Name":  "Out",\r\n        "AddressSpaces":  ["SMTP:*;1"],\r\n'
json+=$'        "SourceTransportServers":  {"value": [{"Name": "EX1", "DistinguishedName": "CN=EX1,CN=Servers,DC=x"}, "Microsoft.Exchange.Data.Directory.ADObjectId"], "Count": 2},\r\n'
json+=$'        "WhenChanged":  "\\/Date(1700000000000)\\/",\r\n        "ServerRole":  38\r\n    }\r\n]\r\n'
gen json sample "$json"
gen json cut "${json:0:120}"
gen pipeline json "$json"
cmdletcsv=$'#TYPE Deserialized.Microsoft.Exchange.Data.Directory.SystemConfiguration.SmtpSendConnectorConfig\r\n'
cmdletcsv+=$'"Name","AddressSpaces","SourceTransportServers"\r\n"Out","SMTP:*;1","EX1;EX2"\r\n'
cmdletcsv+=$'"Cut","SMTP:*;1","System.Object[]"\r\n"Spaced","","EX1 EX2"\r\n'
gen cmdletcsv sample "$cmdletcsv"
gen pipeline cmdletcsv "$cmdletcsv"
# DNs: every dn: line of the LDIF seeds, one per file.
mkdir -p fuzz/corpus/dn
grep -h '^dn: ' "${ldif[@]}" 2>/dev/null | cut -c5- | sort -u | sed -n '1,500p' | while IFS= read -r dn; do
  printf '%s' "$dn" > "fuzz/corpus/dn/$(printf '%s' "$dn" | sha1sum | cut -c1-16)"
done
# Snapshots: an empty input is the intact sample snapshot (see the target).
mkdir -p fuzz/corpus/adexplorer
: > fuzz/corpus/adexplorer/sample
for target in ldif dsml clixml adexplorer pipeline dn; do
  echo "$target: $(ls "fuzz/corpus/$target" | wc -l) seeds"
done
