"""A small reader of Graph's CSDL and a checker of JSON values against its types.

Structured values may only use properties declared on their type or its base types
(navigation properties count: they appear when expanded); `@` annotations are allowed.
Open types are treated as open only when they declare no properties of their own
(`plannerAssignments`, `fieldValueSet`, ...), so a declared type never hides a stray key.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

EDM = "{http://docs.oasis-open.org/odata/ns/edm}"
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
INTEGERS = {"Edm.Int16", "Edm.Int32", "Edm.Int64", "Edm.Byte", "Edm.SByte"}
NUMBERS = {"Edm.Double", "Edm.Single", "Edm.Decimal"}
STRINGS = {"Edm.String", "Edm.Guid", "Edm.Duration", "Edm.Binary", "Edm.TimeOfDay"}


@dataclass
class StructuredType:
    name: str
    base: str | None
    open: bool
    properties: dict[str, tuple[str, bool]] = field(default_factory=dict)  # type, nullable
    navigation: dict[str, str] = field(default_factory=dict)


class Model:
    def __init__(self, path: Path) -> None:
        self.types: dict[str, StructuredType] = {}
        self.enums: dict[str, set[str]] = {}
        # The CSDL is Microsoft's published file read from ../shared/specs, not untrusted input.
        for schema in ET.parse(path).getroot().iter(f"{EDM}Schema"):  # noqa: S314
            self._read_schema(schema)

    def _read_schema(self, schema: ET.Element) -> None:
        namespace = schema.get("Namespace", "")
        alias = schema.get("Alias")

        def qualify(name: str) -> str:
            inner = name[len("Collection(") : -1] if name.startswith("Collection(") else name
            if alias and inner.startswith(f"{alias}."):
                inner = namespace + inner[len(alias) :]
            if inner.startswith("graph."):
                inner = "microsoft." + inner
            return f"Collection({inner})" if name.startswith("Collection(") else inner

        for enum in schema.iter(f"{EDM}EnumType"):
            members = {m.get("Name", "") for m in enum.iter(f"{EDM}Member")}
            self.enums[f"{namespace}.{enum.get('Name')}"] = members
        for tag in ("EntityType", "ComplexType"):
            for node in schema.iter(f"{EDM}{tag}"):
                base = node.get("BaseType")
                declared = StructuredType(
                    f"{namespace}.{node.get('Name')}",
                    qualify(base) if base else None,
                    node.get("OpenType") == "true",
                )
                for prop in node.findall(f"{EDM}Property"):
                    nullable = prop.get("Nullable") != "false"
                    declared.properties[prop.get("Name", "")] = (
                        qualify(prop.get("Type", "")),
                        nullable,
                    )
                for nav in node.findall(f"{EDM}NavigationProperty"):
                    declared.navigation[nav.get("Name", "")] = qualify(nav.get("Type", ""))
                self.types[declared.name] = declared

    def chain(self, name: str) -> list[StructuredType]:
        found, current = [], self.types.get(name)
        while current is not None:
            found.append(current)
            current = self.types.get(current.base) if current.base else None
        return found

    def check(self, value: Any, type_name: str, where: str = "$") -> list[str]:
        """Every violation in `value` against `type_name`, each naming its JSON path."""
        if type_name.startswith("Collection("):
            if not isinstance(value, list):
                return [f"{where}: expected an array for {type_name}"]
            inner = type_name[len("Collection(") : -1]
            return [
                e for i, item in enumerate(value) for e in self.check(item, inner, f"{where}[{i}]")
            ]
        if value is None:
            return []
        if type_name.startswith("Edm."):
            return self._check_primitive(value, type_name, where)
        if type_name in self.enums:
            members = str(value).split(",") if isinstance(value, str) else [None]
            bad = [m for m in members if m not in self.enums[type_name]]
            return [f"{where}: {value!r} is not a member of {type_name}"] if bad else []
        if type_name in self.types:
            return self._check_structured(value, type_name, where)
        return [f"{where}: type {type_name} is not in the CSDL"]

    def _check_primitive(self, value: Any, type_name: str, where: str) -> list[str]:
        ok = True
        if type_name in INTEGERS:
            ok = isinstance(value, int) and not isinstance(value, bool)
        elif type_name in NUMBERS:
            ok = isinstance(value, int | float) and not isinstance(value, bool)
        elif type_name == "Edm.Boolean":
            ok = isinstance(value, bool)
        elif type_name == "Edm.DateTimeOffset":
            ok = isinstance(value, str) and _is_datetime(value)
        elif type_name == "Edm.Date":
            ok = isinstance(value, str) and bool(DATE.match(value))
        elif type_name in STRINGS:
            ok = isinstance(value, str)
        return [] if ok else [f"{where}: {value!r} is not a valid {type_name}"]

    def _check_structured(self, value: Any, type_name: str, where: str) -> list[str]:
        if not isinstance(value, dict):
            return [f"{where}: expected an object for {type_name}"]
        odata_type = value.get("@odata.type")
        if isinstance(odata_type, str):
            derived = odata_type.lstrip("#")
            if type_name not in {t.name for t in self.chain(derived)}:
                return [f"{where}: @odata.type {odata_type} does not derive from {type_name}"]
            type_name = derived
        chain = self.chain(type_name)
        properties = {k: v for t in reversed(chain) for k, v in t.properties.items()}
        navigation = {k: v for t in reversed(chain) for k, v in t.navigation.items()}
        dynamic = chain[0].open and not [p for p in properties if p != "id"]
        errors: list[str] = []
        for key, item in value.items():
            path = f"{where}.{key}"
            if key.startswith("@") or "@" in key:
                continue
            if key in properties:
                declared, nullable = properties[key]
                if item is None and not nullable:
                    errors.append(f"{path}: null for a non-nullable {declared}")
                errors += self.check(item, declared, path)
            elif key in navigation:
                errors += self.check(item, navigation[key], path)
            elif dynamic:
                if isinstance(item, dict) and "@odata.type" in item:
                    errors += self.check(item, item["@odata.type"].lstrip("#"), path)
            else:
                errors.append(f"{path}: '{key}' is not declared on {type_name} or its base types")
        return errors


def _is_datetime(text: str) -> bool:
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return False
    return "T" in text
