"""What actually exists for one tenant, in both its regions, compared with what its templates
declare: the service behind `tenantkit inventory`.

Resources are found by the physical names the tenant's templates declare (every one of them
derived from the tenant id by `tenantkit.naming`) and by the tenant tag (the Resource Groups
Tagging API, filtered on `tenantkit:tenant=<id>`): nothing of another tenant is ever queried or
listed. Each data-holding resource's key is compared with the tenant's own keys of its region, and
the key behind the tenant alias counts as the tenant's only once proven so (the key its stack
declares, tagged with the tenant id).

Flagged, each differently: a declared resource the API says does not exist (missing); a resource
that differs from its template (data under anything but the tenant's keys, versioning, public
access block, bucket policy, deletion protection, key owner, state and rotation, web ACL
associations, a database parameter group pending-reboot, an incident subscription still
PendingConfirmation); a check that could not be made (a call denied, throttled or failed).

Each deployed stack is also put through CloudFormation's drift detection (`drift`: every drifted
property with the template's value and the deployed one; in the sandbox the emulator answers), and
a sample of each bucket's most recent objects is checked against the bucket's declared encryption
(`objects`: data under a foreign key, listed by key, re-encrypted only by `inventory --reencrypt`).
"""

from tenantkit.lifecycle.inventory.declared import declared_resources
from tenantkit.lifecycle.inventory.model import Declared, Inventory, Item, Status
from tenantkit.lifecycle.inventory.service import SessionFor, assembly_inventory, tenant_inventory

__all__ = [
    "Declared",
    "Inventory",
    "Item",
    "SessionFor",
    "Status",
    "assembly_inventory",
    "declared_resources",
    "tenant_inventory",
]
