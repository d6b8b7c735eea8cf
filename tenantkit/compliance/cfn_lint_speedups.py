"""cfn-lint made faster without changing what it finds.

cfn-lint costs two to three times the CPU of synthesizing a tenant, so a cold `tenantkit synth
--all` on 100 tenants (bench/synth_many.py) is bound by it. Five changes, each of which changes
only how cfn-lint finds its work, never what it checks:

- `ValidatorClasses`: cfn-lint's `create` builds a new validator class per call; build each
  distinct one once.
- `FieldsOfClass`: cfn-lint asks `dataclasses.fields` for the same few classes on every evolve;
  answer from a cache.
- `ContextCopies`: cfn-lint's `Context.evolve` and `Path.descend` build the same frozen
  dataclass without its generated `__init__` (about 10 % of the rest, see below).
- `keyword_indexed_e1101` and `engine_indexed_e3062`: faster equivalents of two rules that keep
  the stock rule's state and check (offered upstream: docs/cfn-lint-upstream.patch).

Each is a `Speedup` in `SPEEDUPS` with the fingerprint (sha256 of `inspect.getsource`) of the
upstream code it re-implements or relies on, taken when it was checked. Where the installed
cfn-lint's code has another fingerprint, or another shape than a speed-up checks for, that
speed-up is left out and the caller gets one warning line: cfn-lint's own code runs, so the
findings stay the same. `python -m tenantkit.compliance.cfn_lint_speedups` prints checked and
current fingerprints; bench/upgrade_check.py is the upgrade procedure.

Measured (cfn-lint 1.58.0, 8 generated tenants, 24 templates, one process, each variant in turn,
best of 4 rounds, on the shared 2-core machine): 1.93 CPU-s per tenant as shipped; 1.44 with
E3062, the validator classes and the fields cache; 1.18 with E1101 as well. The E1101 index,
the candidate for dropping, saves 0.25 CPU-s per tenant (18 % of the rest), about 12 s of a cold
100-tenant run on 2 cores; with its coupling now fingerprinted, it stays.
Context copies (cfn-lint 1.58.0, 3 generated tenants of 139 resources, 9 templates, as shipped
and with the speed-ups alternating in one process, best of 4, two sittings on the shared machine):
tenantkit / as shipped 0.661 and 0.570 without them, 0.586 and 0.521 with them (-10 %).

tests/compliance/test_cfn_lint.py and test_cfn_lint_corpus.py lint good and broken templates
(every tenant of tenant_configs/ and tests/fixtures/, dynamic references, intrinsics in
`Engine`, conditions) with tenantkit's cfn-lint and with cfn-lint exactly as shipped
(`stock_only()`) and require the same findings.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import inspect
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any, ClassVar

# Where cfn-lint looks up `create` and `fields` at call time (module globals).
_VALIDATORS = "cfnlint.jsonschema.validators"
_CONTEXT = "cfnlint.context.context"
_FIELDS_USERS = (_VALIDATORS, _CONTEXT, "cfnlint.jsonschema._filter")

CHECK_FINGERPRINTS = True
"""False only to compare a new cfn-lint with the speed-ups forced on (bench/upgrade_check.py)."""


class SpeedupRefused(RuntimeError):
    """cfn-lint's code or data does not have the shape a speed-up was written for."""


@dataclass(frozen=True)
class Speedup:
    """One change to how cfn-lint finds its work, and the upstream code it re-implements or
    relies on (`module:qualname`), with the fingerprint of that code it was checked against."""

    name: str
    upstream: tuple[str, ...]
    fingerprint: str
    apply: Callable[[Any], None]


@cache
def fingerprint(upstream: tuple[str, ...]) -> str:
    """sha256 (first 16 hex digits) of the source of each upstream object, in order. Cached: the
    first answer, taken before any speed-up replaces an upstream object, is the upstream one."""
    digest = hashlib.sha256()
    for dotted in upstream:
        module_name, _, qualname = dotted.partition(":")
        found: Any = importlib.import_module(module_name)
        for part in qualname.split("."):
            found = getattr(found, part)
        digest.update(dotted.encode() + b"\0" + inspect.getsource(found).encode() + b"\0")
    return digest.hexdigest()[:16]


def install(rules: Any, *, checked: bool | None = None) -> tuple[Any, list[str]]:
    """Make this process's cfn-lint faster, and return `rules` (a cfn-lint rule set, with E1101
    and E3062 swapped for their equivalents: same keys, same places in the run order; parents
    pick up their children at the start of each run) and one warning line per
    speed-up left out, because its upstream code changed (fingerprint) or has another shape.
    A speed-up left out leaves cfn-lint's own code in place: the findings stay the same."""
    checked = CHECK_FINGERPRINTS if checked is None else checked
    refused = []
    found = {}
    for speedup in SPEEDUPS:  # every fingerprint before any speed-up replaces upstream code
        try:
            found[speedup.name] = fingerprint(speedup.upstream)
        except (ImportError, AttributeError, OSError, TypeError) as error:
            found[speedup.name] = f"unreadable: {type(error).__name__}"
    for speedup in SPEEDUPS:
        actual = found[speedup.name]
        try:
            if checked and actual != speedup.fingerprint:
                raise SpeedupRefused(
                    f"cfn-lint's {', '.join(speedup.upstream)} changed (fingerprint {actual}, "
                    f"checked with {speedup.fingerprint})"
                )
            speedup.apply(rules)
        except SpeedupRefused as error:
            refused.append(
                f"cfn-lint speed-up {speedup.name} left out, linting with cfn-lint's own code: "
                f"{error}"
            )
    return rules, refused


@contextmanager
def stock_only() -> Iterator[None]:
    """cfn-lint's own `create` and `fields` for the duration (to compare against them)."""
    with ValidatorClasses.stock_only(), FieldsOfClass.stock_only(), ContextCopies.stock_only():
        yield


def _modules(*names: str) -> list[Any]:
    return [importlib.import_module(name) for name in names]


class ValidatorClasses:
    """cfn-lint makes a new validator class (a dataclass) every time a rule extends a validator:
    231 classes per tenant, 0.15 of the tenant's 0.79 CPU-seconds of cfn-lint. A class depends
    only on what `create` is given: the keyword validators, the function filter's settings and
    the function resolvers. This cache builds each distinct class once and hands it out again.

    Validators are rule methods, bound anew on every access, so they are keyed by the identity of
    their object and function; each cache entry keeps the arguments it was made from alive, so
    those identities cannot pass to other objects."""

    stock: ClassVar[Callable[..., Any] | None] = None
    settings: ClassVar[tuple[str, ...]] = ()
    classes: ClassVar[dict[Any, tuple[Any, ...]]] = {}

    @classmethod
    def install(cls) -> None:
        (module,) = _modules(_VALIDATORS)
        if cls.stock is None:
            from cfnlint.jsonschema._filter import FunctionFilter

            settings = tuple(f.name for f in dataclasses.fields(FunctionFilter) if f.init)
            if settings != ("add_cfn_lint_keyword", "validate_dynamic_references"):
                raise SpeedupRefused(
                    f"cfn-lint's FunctionFilter has settings tenantkit does not key: {settings}"
                )
            cls.stock, cls.settings = module.create, settings
        module.create = cls.create

    @classmethod
    @contextmanager
    def stock_only(cls) -> Iterator[None]:
        (module,) = _modules(_VALIDATORS)
        current = module.create
        module.create = cls.stock or current
        try:
            yield
        finally:
            module.create = current

    @classmethod
    def create(
        cls,
        validators: Mapping[str, Any] | None = None,
        function_filter: Any = None,
        fn_resolvers: Mapping[str, Any] | None = None,
    ) -> Any:
        key = (
            _identities(validators),
            None
            if function_filter is None
            else (
                type(function_filter),
                *(getattr(function_filter, name) for name in cls.settings),
            ),
            _identities(fn_resolvers),
        )
        entry = cls.classes.get(key)
        if entry is None:
            assert cls.stock is not None
            made = cls.stock(
                validators=validators, function_filter=function_filter, fn_resolvers=fn_resolvers
            )
            entry = cls.classes[key] = (made, validators, function_filter, fn_resolvers)
        return entry[0]


def _identities(functions: Mapping[str, Any] | None) -> tuple[Any, ...]:
    if not functions:
        return ()
    return tuple(
        (name, id(getattr(function, "__self__", None)), id(getattr(function, "__func__", function)))
        for name, function in functions.items()
    )


class FieldsOfClass:
    """`dataclasses.fields` of a class, computed once per class. cfn-lint's `evolve` methods call
    `fields(Context)`, `fields(Validator)` and `fields(FunctionFilter)` about 55,000 times per
    tenant; a class's fields are fixed when the class is made."""

    @staticmethod
    @cache
    def _of_class(dataclass_type: type) -> tuple[dataclasses.Field, ...]:
        return dataclasses.fields(dataclass_type)

    @classmethod
    def fields(cls, class_or_instance: Any) -> tuple[dataclasses.Field, ...]:
        return cls._of_class(
            class_or_instance if isinstance(class_or_instance, type) else type(class_or_instance)
        )

    @classmethod
    def install(cls) -> None:
        modules = _modules(*_FIELDS_USERS)
        for module in modules:  # all checked before any is changed
            if getattr(module, "fields", None) not in (dataclasses.fields, cls.fields):
                raise SpeedupRefused(f"{module.__name__}.fields is not dataclasses.fields")
        for module in modules:
            module.fields = cls.fields

    @classmethod
    @contextmanager
    def stock_only(cls) -> Iterator[None]:
        modules = _modules(*_FIELDS_USERS)
        current = [module.fields for module in modules]
        for module in modules:
            module.fields = dataclasses.fields
        try:
            yield
        finally:
            for module, fields in zip(modules, current, strict=True):
                module.fields = fields


class ContextCopies:
    """cfn-lint's `Context.evolve` and `Path.descend` make a copy of a frozen dataclass with some
    fields changed, for every schema keyword it descends into: about 15,000 and 7,000 calls per
    tenant, each through the dataclass's `__init__` (one `object.__setattr__` per field, 17 for a
    Context). These build the same object (same class, same field values, nothing else in its
    `__dict__`) directly. The classes have no `__post_init__` and every field is an `__init__`
    field (checked at install); anything the fast path does not cover (a subclass, a name that
    is not a field, a `cfn_path` cfn-lint refuses) goes to cfn-lint's own method, which keeps
    its errors."""

    stock: ClassVar[dict[str, Callable[..., Any]]] = {}
    classes: ClassVar[dict[str, Any]] = {}
    fields: ClassVar[dict[str, tuple[str, ...]]] = {}
    names: ClassVar[dict[str, frozenset[str]]] = {}
    functions: ClassVar[Any] = ()
    """cfn-lint's intrinsic function names, which `Path.descend` refuses as a `cfn_path`."""

    @classmethod
    def install(cls) -> None:
        (module,) = _modules(_CONTEXT)
        if not cls.stock:
            for dataclass_type in (module.Context, module.Path):
                params = getattr(dataclass_type, "__dataclass_params__", None)
                if (
                    params is None
                    or not params.frozen
                    or hasattr(dataclass_type, "__post_init__")
                    or "__slots__" in vars(dataclass_type)
                    or not all(field.init for field in dataclasses.fields(dataclass_type))
                ):
                    raise SpeedupRefused(
                        f"cfn-lint's {dataclass_type.__name__} is not a plain frozen dataclass"
                    )
            for name in ("Context", "Path"):
                cls.classes[name] = getattr(module, name)
                cls.fields[name] = tuple(f.name for f in dataclasses.fields(cls.classes[name]))
                cls.names[name] = frozenset(cls.fields[name])
            cls.functions = module.FUNCTIONS
            cls.stock = {
                "Context": vars(module.Context)["evolve"],
                "Path": vars(module.Path)["descend"],
            }
        module.Context.evolve = _context_evolve
        module.Path.descend = _path_descend

    @classmethod
    @contextmanager
    def stock_only(cls) -> Iterator[None]:
        (module,) = _modules(_CONTEXT)
        current = vars(module.Context)["evolve"], vars(module.Path)["descend"]
        module.Context.evolve = cls.stock.get("Context", current[0])
        module.Path.descend = cls.stock.get("Path", current[1])
        try:
            yield
        finally:
            module.Context.evolve, module.Path.descend = current


def _context_evolve(self: Any, **kwargs: Any) -> Any:
    """`Context.evolve`: a copy with `kwargs` changed, `ref_values` merged into the current."""
    if type(self) is not ContextCopies.classes["Context"] or not ContextCopies.names["Context"].issuperset(kwargs):
        return ContextCopies.stock["Context"](self, **kwargs)
    if "ref_values" in kwargs:
        merged = self.ref_values.copy()
        merged.update(kwargs["ref_values"])
        kwargs["ref_values"] = merged
    copy = object.__new__(type(self))
    state, own = copy.__dict__, self.__dict__
    for name in ContextCopies.fields["Context"]:
        state[name] = own[name]
    state.update(kwargs)
    return copy


def _path_descend(self: Any, **kwargs: Any) -> Any:
    """`Path.descend`: a copy with each value of `kwargs` that is not None appended to its
    field."""
    cfn_path = kwargs.get("cfn_path")
    if (
        type(self) is not ContextCopies.classes["Path"]
        or not ContextCopies.names["Path"].issuperset(kwargs)
        or isinstance(cfn_path, int)
        or cfn_path in ContextCopies.functions
    ):
        return ContextCopies.stock["Path"](self, **kwargs)
    copy = object.__new__(type(self))
    state, own = copy.__dict__, self.__dict__
    for name in ContextCopies.fields["Path"]:
        value = kwargs.get(name)
        state[name] = own[name] if value is None else own[name] + deque([value])
    return copy


def _stock_class(stock: Any, name: str) -> type:
    # cfn-lint loads its rules from files, so the classes are not importable by module path.
    if type(stock).__name__ != name:
        raise SpeedupRefused(f"cfn-lint's {stock.id} is {type(stock).__name__}, not {name}")
    return type(stock)


def keyword_indexed_e1101(stock: Any) -> Any:
    """cfn-lint's E1101, the `cfnLint` schema keyword that hands a value to the child rules
    registered for that keyword. The stock rule compares the keyword with every keyword of its
    ~200 child rules on each of its thousands of calls per template; this one looks the keyword
    up in an index of the same rules, in the same order, built once per template (child rules are
    wired at the start of each run)."""
    from cfnlint.jsonschema._utils import Unset

    class KeywordIndexed(_stock_class(stock, "CfnLint")):  # type: ignore[misc]  # base known at run time: cfn-lint loads rules from files
        def __init__(self) -> None:  # the stock rule's state, not a fresh one
            self.__dict__.update(stock.__dict__)
            self._by_keyword: dict[str, list[Any]] | None = None

        def initialize(self, cfn: Any) -> None:
            super().initialize(cfn)
            self._by_keyword = None  # a new run wires the child rules again

        def _index(self) -> dict[str, list[Any]]:
            if self._by_keyword is None:
                index: dict[str, list[Any]] = {}
                for rule in self.child_rules.values():
                    if rule is not None and rule.id:
                        for rule_keyword in rule.keywords:
                            index.setdefault(rule_keyword, []).append(rule)
                self._by_keyword = index
            return self._by_keyword

        def cfnLint(self, validator: Any, keywords: Any, instance: Any, schema: Any) -> Any:
            validator = validator.evolve(
                function_filter=validator.function_filter.evolve(add_cfn_lint_keyword=False)
            )
            index = self._index()
            for keyword in keywords:
                for rule in index.get(keyword, ()):
                    for err in rule.validate(validator, keyword, instance, schema):
                        if err.rule is None and isinstance(err.validator, Unset):
                            err.rule = rule
                        yield err

    return KeywordIndexed()


def engine_indexed_e3062(stock: Any) -> Any:
    """cfn-lint's E3062 (DB instance class valid for Engine and EngineVersion), same findings,
    a fourteenth of the work for PostgreSQL.

    The stock rule checks every RDS instance against one schema: an `allOf` of ~980
    `{"if": {Engine const, EngineVersion pattern, DBInstanceClass}, "then": {DBInstanceClass
    enum}}` entries, one per engine and version, of which 70 are PostgreSQL's. Every `if` requires
    `Engine` and compares it with `const`, so for an instance whose `Engine` is a plain string,
    the only entries whose `if` can hold are those whose `const` equals it (cfn-lint's `const`
    compares strings by `==`; `"true"`/`"false"` compare as booleans, so those keep the full
    schema); without an `Engine`, none can. This rule validates against exactly those entries.
    Any other `Engine` (an intrinsic function) gets the full schema, as in the stock rule.
    """
    _check_indexable(stock._schema)

    class EngineIndexed(_stock_class(stock, "DbInstanceDbInstanceClassWithEngine")):  # type: ignore[misc]  # base known at run time: cfn-lint loads rules from files
        def __init__(self) -> None:
            # Not super().__init__(): that parses the 5 MB schema again; take the stock rule's.
            self.__dict__.update(stock.__dict__)
            self._use_schema_arg = True  # the schema comes from `schema_for` on each call
            entries: dict[str, list[Any]] = {}
            for entry in self._schema["allOf"]:
                entries.setdefault(entry["if"]["properties"]["Engine"]["const"], []).append(entry)
            self._by_engine = {
                engine: {**self._schema, "allOf": items} for engine, items in entries.items()
            }
            self._no_entries = {**self._schema, "allOf": []}

        def schema_for(self, instance: Any) -> dict[str, Any]:
            if not isinstance(instance, dict):
                return self._schema
            if "Engine" not in instance:
                return self._no_entries
            engine = instance["Engine"]
            if not isinstance(engine, str) or engine.lower() in ("true", "false"):
                return self._schema
            return self._by_engine.get(engine.lower(), self._no_entries)

        def validate(self, validator: Any, keywords: Any, instance: Any, schema: Any) -> Any:
            yield from super().validate(validator, keywords, instance, self.schema_for(instance))

    return EngineIndexed()


def _check_indexable(schema: dict[str, Any]) -> None:
    """The shape `engine_indexed_e3062` relies on."""
    for entry in schema["allOf"]:
        condition = entry["if"]
        if "Engine" not in condition.get("required", ()) or not isinstance(
            condition["properties"]["Engine"].get("const"), str
        ):
            raise SpeedupRefused(
                f"cfn-lint E3062 schema has an entry tenantkit cannot index: {condition}"
            )


def _swap_e1101(rules: Any) -> None:
    rules.data["E1101"] = keyword_indexed_e1101(rules.data["E1101"])


def _swap_e3062(rules: Any) -> None:
    rules.data["E3062"] = engine_indexed_e3062(rules.data["E3062"])


SPEEDUPS = (
    Speedup(
        "context-copies",
        (f"{_CONTEXT}:Context", f"{_CONTEXT}:Path"),
        fingerprint="8510edc8cad267ed",
        apply=lambda _rules: ContextCopies.install(),
    ),
    Speedup(
        "validator-classes",
        (f"{_VALIDATORS}:create", "cfnlint.jsonschema._filter:FunctionFilter"),
        fingerprint="ff983121561629fe",
        apply=lambda _rules: ValidatorClasses.install(),
    ),
    Speedup(
        "fields-of-class",
        (
            f"{_VALIDATORS}:create",
            "cfnlint.jsonschema._filter:FunctionFilter",
            "cfnlint.context.context:Path",
            "cfnlint.context.context:Context",
        ),
        fingerprint="fdda14a8bf586f53",
        apply=lambda _rules: FieldsOfClass.install(),
    ),
    Speedup(
        "E1101-keyword-index",
        (
            "cfnlint.rules.jsonschema.CfnLint:CfnLint",
            "cfnlint.rules._rule:CloudFormationLintRule",
            "cfnlint.rules._rules:Rules",
        ),
        fingerprint="36670580e0482a2b",
        apply=_swap_e1101,
    ),
    Speedup(
        "E3062-engine-index",
        (
            "cfnlint.rules.resources.rds.DbInstanceDbInstanceClassWithEngine:"
            "DbInstanceDbInstanceClassWithEngine",
            "cfnlint.rules.jsonschema.CfnLintJsonSchema:CfnLintJsonSchema",
        ),
        fingerprint="a4cb481e01c116bb",
        apply=_swap_e3062,
    ),
)


def main() -> int:
    """Print each speed-up's checked and current upstream fingerprint (for an upgrade); 1 if
    any changed."""
    changed = False
    for speedup in SPEEDUPS:
        current = fingerprint(speedup.upstream)
        changed |= current != speedup.fingerprint
        state = "same" if current == speedup.fingerprint else "CHANGED"
        print(f"{speedup.name}: checked {speedup.fingerprint}, current {current} ({state})")
    return 1 if changed else 0


if __name__ == "__main__":
    raise SystemExit(main())
