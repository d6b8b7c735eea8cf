"""The calls the sandbox serves, recorded as CloudTrail records: `LookupEvents` for management
events, and trail log files in the trail's bucket for data events, as AWS keeps them.

moto 5.2.5 defect: nothing records the calls moto serves; CloudTrail's `LookupEvents` is not
implemented (NotImplementedError), and a trail never delivers a log file.

What is recorded (the sandbox-side journal, one per account and region on moto's CloudTrail
backend, cleared by `moto-api/reset` with it, kept in the sandbox's saved state with it):
- every `AssumeRole` (whoever signs it: the operator's default credentials too), with its
  `roleSessionName`, `durationSeconds`, session `tags` and `serialNumber` in `requestParameters`
  and the issued `accessKeyId` in `responseElements.credentials`, in the role's account;
- every S3, KMS, Secrets Manager and AWS Backup request signed by a principal created in the
  sandbox (an IAM user's key or an assumed-role session: `policies.caller`), at the moment the
  sandbox's policy evaluator decides it, with `errorCode` AccessDenied when it refuses; a request
  the service itself then fails (NoSuchKey) is recorded as made, without an error. Requests signed
  with the operator's default credentials are not recorded (their decisions are not evaluated either).

Served: `LookupEvents` (one `LookupAttributes` item, `StartTime`, `EndTime`, `MaxResults` up to 50,
`NextToken`), newest first, management events only, as AWS answers it. Data events (S3 object-level
calls and object listings) go, as one gzipped `{"Records": [...]}` file each, to the bucket of every
logging trail of the region whose event selectors take them, under
`[prefix/]AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/`, at once (AWS: within about 5 minutes);
management events go there too when its selectors take them. No digest files are written.
"""

from __future__ import annotations

import gzip
import json
import uuid
from datetime import UTC, datetime
from typing import Any

from moto.cloudtrail.models import cloudtrail_backends
from moto.cloudtrail.responses import CloudTrailResponse
from moto.core.exceptions import JsonRESTError
from moto.s3.models import s3_backends
from moto.sts.models import sts_backends
from moto.sts.responses import TokenResponse
from moto.utilities.utils import get_partition

from tenantkit.aws import parse_arn
from tenantkit.sandbox.extensions._base import records, wrap

MAX_RESULTS = 50
"""LookupEvents returns at most 50 events a page (CloudTrail API Reference, LookupEvents)."""
LOOKUP_KEYS = {
    "EventId": lambda e: [e["eventID"]],
    "EventName": lambda e: [e["eventName"]],
    "ReadOnly": lambda e: [str(e["readOnly"]).lower()],
    "Username": lambda e: [_username(e)],
    "ResourceType": lambda e: [r["type"] for r in e.get("resources", [])],
    "ResourceName": lambda e: [r["ARN"] for r in e.get("resources", [])],
    "EventSource": lambda e: [e["eventSource"]],
    "AccessKeyId": lambda e: [e["userIdentity"].get("accessKeyId", "")],
}
_READ_PREFIXES = ("Get", "List", "Describe", "Head", "Lookup")
_S3_DATA_BUCKET_ACTIONS = frozenset({"ListBucket", "ListBucketVersions", "ListObjects", "ListObjectsV2", "ListObjectVersions",
                                     "ListBucketMultipartUploads", "DeleteObject"})  # DeleteObject without a key: DeleteObjects


def journal(account_id: str, region_name: str) -> dict[str, dict[str, Any]]:
    """The region's recorded events, by event id, oldest first."""
    return records(cloudtrail_backends[account_id][region_name], "events")


def _username(event: dict[str, Any]) -> str:
    identity = event["userIdentity"]
    return str(identity.get("arn", "")).rsplit("/", 1)[-1]


def _now() -> datetime:
    from tenantkit.sandbox.extensions.clock import now

    return now().replace(tzinfo=UTC)


def _time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def identity(access_key_id: str, account_id: str, region_name: str) -> dict[str, Any]:
    """CloudTrail's `userIdentity` of the credentials `access_key_id`, as moto's STS knows them."""
    partition = get_partition(region_name)
    user_id, arn, account = sts_backends[account_id][partition].get_caller_identity(access_key_id, region_name)
    session = sts_backends[account][partition].get_assumed_role_from_access_key(access_key_id)
    found: dict[str, Any] = {"principalId": user_id, "arn": arn, "accountId": account, "accessKeyId": access_key_id}
    if session is None:
        return {"type": "IAMUser", **found}
    issuer = {"type": "Role", "arn": session.role_arn, "accountId": session.account_id, "userName": session.role_arn.rsplit("/", 1)[-1]}
    return {"type": "AssumedRole", **found, "sessionContext": {"sessionIssuer": issuer}}


def record(
    *, account_id: str, region_name: str, who: dict[str, Any], service: str, action: str, resources: list[dict[str, str]],
    request: dict[str, Any] | None = None, response: dict[str, Any] | None = None, error: str | None = None,
) -> dict[str, Any]:
    """Record one call (and deliver it to the trails that take it); return the record."""
    data = service == "s3" and (any(r["type"] == "AWS::S3::Object" for r in resources) or action in _S3_DATA_BUCKET_ACTIONS)
    event: dict[str, Any] = {
        "eventVersion": "1.09",
        "userIdentity": who,
        "eventTime": _time(_now()),
        "eventSource": f"{service}.amazonaws.com",
        "eventName": action,
        "awsRegion": region_name,
        "sourceIPAddress": "127.0.0.1",
        "userAgent": "tenantkit-sandbox",
        "requestParameters": request or {},
        "responseElements": response,
        "eventID": str(uuid.uuid4()),
        "readOnly": action.startswith(_READ_PREFIXES) or action == "Decrypt",
        "resources": resources,
        "eventType": "AwsApiCall",
        "managementEvent": not data,
        "recipientAccountId": account_id,
        "eventCategory": "Data" if data else "Management",
    }
    if error:
        event["errorCode"], event["errorMessage"] = error, f"{action} refused by the resource's or the caller's policy"
    journal(account_id, region_name)[event["eventID"]] = event
    _deliver(event, account_id, region_name)
    return event


# --- delivery to trails ----------------------------------------------------------------------


def _field_values(event: dict[str, Any], field: str) -> list[str]:
    if field == "resources.type":
        return [r["type"] for r in event["resources"]]
    if field == "resources.ARN":
        return [r["ARN"] for r in event["resources"]]
    value = event.get(field)
    return [str(value).lower() if isinstance(value, bool) else str(value)]


_OPERATORS = {
    "Equals": lambda value, wanted: value == wanted,
    "StartsWith": lambda value, wanted: value.startswith(wanted),
    "EndsWith": lambda value, wanted: value.endswith(wanted),
}


def _field_holds(event: dict[str, Any], selector: dict[str, Any]) -> bool:
    values = _field_values(event, selector["Field"])
    for name, test in _OPERATORS.items():
        if name in selector and not any(test(v, w) for v in values for w in selector[name]):
            return False
        if f"Not{name}" in selector and any(test(v, w) for v in values for w in selector[f"Not{name}"]):
            return False
    return True


def takes(trail: Any, event: dict[str, Any]) -> bool:
    """Whether `trail`'s event selectors record `event` (advanced selectors: any selector whose
    every field holds; basic or none: management events, and S3 object events of its DataResources)."""
    if trail.advanced_event_selectors:
        return any(all(_field_holds(event, f) for f in s["FieldSelectors"]) for s in trail.advanced_event_selectors)
    if event["eventCategory"] == "Management":
        return all(s.get("IncludeManagementEvents", True) for s in trail.event_selectors) if trail.event_selectors else True
    arns = [r["ARN"] for r in event["resources"] if r["type"] == "AWS::S3::Object"]
    prefixes = [v for s in trail.event_selectors for d in s.get("DataResources", []) if d.get("Type") == "AWS::S3::Object" for v in d.get("Values", [])]
    return any(arn.startswith(p) for arn in arns for p in prefixes)


def log_file_key(trail: Any, account_id: str, region_name: str, moment: datetime) -> str:
    """Where CloudTrail delivers a log file (CloudTrail User Guide, "Finding your CloudTrail log files")."""
    prefix = f"{trail.s3_key_prefix}/" if getattr(trail, "s3_key_prefix", None) else ""
    name = f"{account_id}_CloudTrail_{region_name}_{moment:%Y%m%dT%H%MZ}_{uuid.uuid4().hex[:16]}.json.gz"
    return f"{prefix}AWSLogs/{account_id}/CloudTrail/{region_name}/{moment:%Y/%m/%d}/{name}"


def _deliver(event: dict[str, Any], account_id: str, region_name: str) -> None:
    moment = datetime.strptime(event["eventTime"], "%Y-%m-%dT%H:%M:%SZ")
    s3 = s3_backends[account_id][get_partition(region_name)]
    for trail in list(cloudtrail_backends[account_id][region_name].trails.values()):
        if not trail.status.is_logging or trail.bucket_name not in s3.buckets or not takes(trail, event):
            continue
        body = gzip.compress(json.dumps({"Records": [event]}).encode())
        s3.put_object(trail.bucket_name, log_file_key(trail, account_id, region_name, moment), body,
                      encryption="aws:kms" if trail.kms_key_id else None, kms_key_id=trail.kms_key_id)


# --- LookupEvents ----------------------------------------------------------------------------


def _epoch(value: Any) -> float:
    return float(value) if isinstance(value, int | float) else datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()


def lookup_events(self: CloudTrailResponse) -> str:
    params = json.loads(self.body or "{}")
    attributes = params.get("LookupAttributes") or []
    if len(attributes) > 1:
        raise JsonRESTError("InvalidLookupAttributesException", "LookupAttributes: the list can contain only one item")
    if attributes and attributes[0].get("AttributeKey") not in LOOKUP_KEYS:
        raise JsonRESTError("InvalidLookupAttributesException", f"AttributeKey {attributes[0].get('AttributeKey')} is not supported")
    start = _epoch(params["StartTime"]) if "StartTime" in params else None
    end = _epoch(params["EndTime"]) if "EndTime" in params else None
    size = min(int(params.get("MaxResults") or MAX_RESULTS), MAX_RESULTS)
    found = []
    for event in reversed(list(journal(self.current_account, self.region).values())):
        when = datetime.strptime(event["eventTime"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()
        if event["eventCategory"] != "Management" or (start is not None and when < start) or (end is not None and when > end):
            continue
        if attributes and attributes[0]["AttributeValue"] not in LOOKUP_KEYS[attributes[0]["AttributeKey"]](event):
            continue
        found.append((when, event))
    offset = int(params.get("NextToken") or 0)
    page = found[offset : offset + size]
    answer: dict[str, Any] = {"Events": [{
        "EventId": e["eventID"], "EventName": e["eventName"], "ReadOnly": str(e["readOnly"]).lower(),
        "AccessKeyId": e["userIdentity"].get("accessKeyId", ""), "EventTime": when, "EventSource": e["eventSource"],
        "Username": _username(e), "Resources": [{"ResourceType": r["type"], "ResourceName": r["ARN"]} for r in e["resources"]],
        "CloudTrailEvent": json.dumps(e),
    } for when, e in page]}  # fmt: skip
    if offset + size < len(found):
        answer["NextToken"] = str(offset + size)
    return json.dumps(answer)


# --- AssumeRole ------------------------------------------------------------------------------


def _recorded_assume_role(original: Any) -> Any:
    def assume_role(self: TokenResponse) -> Any:
        result = original(self)
        role_arn = self._get_param("RoleArn")
        account = parse_arn(role_arn).account
        session = result.result["Credentials"]  # moto's AssumedRole
        tags = [{"key": t["Key"], "value": t["Value"]} for t in self._get_param("Tags") or []]
        request = {"roleArn": role_arn, "roleSessionName": self._get_param("RoleSessionName"),
                   "durationSeconds": self._get_int_param("DurationSeconds", 3600)}
        if tags:
            request["tags"] = tags
        if self._get_param("SerialNumber"):
            request["serialNumber"] = self._get_param("SerialNumber")
        response = {"credentials": {"accessKeyId": session.access_key_id, "expiration": _time(session.expiration)},
                    "assumedRoleUser": {"assumedRoleId": session.user_id, "arn": session.arn}}
        resources = [{"ARN": session.access_key_id, "type": "AWS::IAM::AccessKey"}, {"ARN": session.arn, "type": "AWS::STS::AssumedRole"},
                     {"ARN": role_arn, "type": "AWS::IAM::Role"}]
        who = identity(self.access_key, self.current_account, self.region)
        record(account_id=account, region_name=self.region, who=who, service="sts", action="AssumeRole", resources=resources,
               request=request, response=response)
        return result

    return assume_role


def patch() -> None:
    CloudTrailResponse.lookup_events = lookup_events  # type: ignore[attr-defined]
    wrap(TokenResponse, "assume_role", _recorded_assume_role)
