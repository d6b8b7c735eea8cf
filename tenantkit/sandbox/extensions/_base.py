"""What the extensions share: a mixin for CloudFormation models backed by moto's service backends,
an idempotent way to wrap a moto function, and per-backend records for what moto cannot store.

Written against moto 5.2.5 (`tenantkit.sandbox.process.MOTO_VERSION`); each extension module
names the defect it covers.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, ClassVar

from moto.cloudformation.exceptions import UnformattedGetAttTemplateException

_WRAPPED = "__tenantkit_wrapped__"


class BackedModel:
    """A CloudFormation resource whose state lives in a moto service backend, so the service API
    sees it. Subclasses also name `CloudFormationModel` as a direct base: moto's model map
    (`moto.cloudformation.parsing.get_model_map`) is built from its direct subclasses only."""

    TYPE: ClassVar[str]
    ATTRIBUTES: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, physical_id: str, attributes: dict[str, Any] | None = None) -> None:
        self._physical_id = physical_id
        self.attributes = attributes or {}

    @property
    def physical_resource_id(self) -> str:
        return self._physical_id

    @classmethod
    def cloudformation_type(cls) -> str:
        return cls.TYPE

    @staticmethod
    def cloudformation_name_type() -> str:
        return ""  # names are read from the properties by each model

    @classmethod
    def create_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: dict, account_id: str, region_name: str, **kwargs: Any
    ) -> Any:
        return cls.create(cloudformation_json.get("Properties", {}), account_id, region_name, resource_name)

    @classmethod
    def create(cls, p: dict[str, Any], account_id: str, region_name: str, resource_name: str) -> Any:
        """Create the resource from its resolved properties `p`, in the service's backend."""
        raise NotImplementedError

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in cls.ATTRIBUTES

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        if attribute_name not in self.attributes:
            raise UnformattedGetAttTemplateException()
        return self.attributes[attribute_name]

    def is_created(self) -> bool:
        return True

    @classmethod
    def update_from_cloudformation_json(
        cls, original_resource: Any, new_resource_name: str, cloudformation_json: dict, account_id: str, region_name: str
    ) -> Any:
        """Replacement: the old resource goes, the new one is created from the new properties."""
        original_resource.delete(account_id, region_name)
        return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)

    @classmethod
    def delete_from_cloudformation_json(cls, *args: Any, **kwargs: Any) -> None:
        """Unused: CloudFormation deletes through the instance's `delete(account_id, region)`."""

    def delete(self, account_id: str, region_name: str) -> None:
        raise NotImplementedError


def wrap(owner: Any, name: str, make: Callable[[Callable[..., Any]], Callable[..., Any]]) -> None:
    """Replace `owner.name` by `make(original)`, once (installing twice does not stack wrappers).
    Classmethods stay classmethods; `make` then receives and returns the plain function."""
    current: Any = owner.__dict__.get(name) if isinstance(owner, type) else getattr(owner, name)
    is_classmethod = isinstance(current, classmethod)
    function = current.__func__ if is_classmethod else current
    if getattr(function, _WRAPPED, False):
        return
    replacement = functools.wraps(function)(make(function))
    setattr(replacement, _WRAPPED, True)
    setattr(owner, name, classmethod(replacement) if is_classmethod else replacement)


def around_create(
    model: type,
    *,
    before: Callable[[dict[str, Any]], None] | None = None,
    after: Callable[[Any, dict[str, Any], str, str], None] | None = None,
) -> None:
    """Wrap moto's `model.create_from_cloudformation_json`: `before(properties)` reshapes what
    moto misreads; `after(resource, properties, account_id, region_name)` applies what it ignores."""

    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        def create(cls: type, resource_name: str, cloudformation_json: dict, account_id: str, region_name: str, **kwargs: Any) -> Any:
            properties = cloudformation_json.setdefault("Properties", {})
            if before is not None:
                before(properties)
            resource = original(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
            if after is not None:
                after(resource, properties, account_id, region_name)
            return resource

        return create

    wrap(model, "create_from_cloudformation_json", make)


def records(backend: Any, kind: str) -> dict[str, Any]:
    """A dict stored on a moto backend for state its API cannot hold; moto's reset clears it
    with the backend."""
    return backend.__dict__.setdefault(f"tenantkit_{kind}", {})


def tag_list(tags: Any) -> list[dict[str, str]]:
    """CloudFormation tags (a Key/Value list, or a map for some types) as a Key/Value list."""
    if isinstance(tags, dict):
        return [{"Key": key, "Value": value} for key, value in tags.items()]
    return list(tags or [])
