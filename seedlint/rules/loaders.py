"""What a call passes to a ``DataLoader`` (or a project subclass of it): shared by RNG301 and
RNG302, which judge the same calls.

A direct ``torch.utils.data.DataLoader(...)`` is judged in its own file. A call of a class the
project defines (in this file or another) may be a DataLoader subclass; which one is only known
once every file is analysed, so such calls are kept as :class:`Candidate` facts and judged by the
rules' ``check_program``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Optional

import libcst as cst

from seedlint import apis
from seedlint.engine.collect import CallSite, FileContext
from seedlint.engine.facts import Literal, Target
from seedlint.engine.names import NameScope, dotted, literal_value, variable_values
from seedlint.engine.program import Program
from seedlint.findings import Span

#: What is known statically of an argument's value.
ZERO, TRUE, FALSE, NONE, OTHER = "zero", "true", "false", "none", "other"

#: Roots of libraries whose classes are never project DataLoader subclasses.
_EXTERNAL_ROOTS = frozenset(
    {"torch", "numpy", "random", "torchvision", "sklearn", "pandas", "transformers", "datasets"}
)


@dataclass(frozen=True)
class Arguments:
    """The arguments of one call: positional kinds in order, keyword kinds, and whether
    ``*args`` / ``**kwargs`` may pass anything else. ``texts`` keeps the source of a few."""

    positional: tuple[str, ...]
    keywords: dict[str, str]
    star: bool
    texts: dict[str, str] = field(default_factory=dict)

    def bind(self, params: tuple[str, ...]) -> dict[str, str]:
        out = dict(zip(params, self.positional))
        out.update(self.keywords)
        return out


@dataclass(frozen=True)
class Candidate:
    """A call of a project class that may subclass DataLoader (judged across files)."""

    target: Target
    name: str
    args: Arguments
    span: Span


@dataclass(frozen=True)
class LoaderCall:
    """A call judged to build a DataLoader, with its parameters bound."""

    name: str  # as written: "DataLoader", "tud.DataLoader", "FastLoader"
    bound: dict[str, str]
    star: bool
    texts: dict[str, str]
    span: Span
    #: Parameters the (subclass's) code supplies itself: passed to its base or set in kwargs.
    supplied: frozenset[str] = frozenset()
    defaults: Optional[dict[str, Literal]] = None
    #: Arguments can be added with DataLoader's own names (not a subclass with its own
    #: signature).
    fixable: bool = True

    def kind(self, param: str) -> Optional[str]:
        """The kind of ``param``'s value; None when absent (and not defaulted by a subclass)."""
        if param in self.bound:
            return self.bound[param]
        if self.defaults is not None and param in self.defaults:
            return kind_of_literal(self.defaults[param])
        return None

    def unknown(self, param: str) -> bool:
        """May ``param`` be passed without it being visible (``**kwargs``, a subclass)?"""
        return param in self.supplied or (self.star and param not in self.bound)

    def head(self, param: str, default: str) -> str:
        """How the message shows the call: ``DataLoader(num_workers=4)`` when written at the
        call, ``DataLoader(…, **kwargs)` passes `num_workers=4`` when it comes through a
        mapping."""
        text = self.text(param) or default
        via = self.texts.get(f"via:{param}")
        if via is not None:
            return f"`{self.name}(…, {via})` passes `{param}={text}` through `{via}` and"
        return f"`{self.name}({param}={text})`"

    def via(self, param: str) -> bool:
        """Does ``param`` come through a ``**mapping`` rather than written at the call?"""
        return f"via:{param}" in self.texts

    def text(self, param: str) -> str:
        if param in self.texts:
            return short_source(self.texts[param])
        if self.defaults is not None and param in self.defaults:
            return f"{self.defaults[param]!r} (the default)"
        return ""


def short_source(text: str) -> str:
    """Source text for a message: one line, at most 40 characters."""
    text = " ".join(text.split())
    return text if len(text) <= 40 else text[:37] + "..."


def kind_of_literal(value: Literal) -> str:
    if value is None:
        return NONE
    if value is True:
        return TRUE
    if value is False:
        return FALSE
    if value == 0 and isinstance(value, (int, float)):
        return ZERO
    return OTHER


def kind_of(expr: cst.BaseExpression, scope: NameScope, depth: int = 0) -> str:
    """ZERO / TRUE / FALSE / NONE when ``expr`` provably is that value, else OTHER: a literal,
    or a variable (not a parameter) every assignment of which is that literal."""
    if isinstance(expr, cst.Integer):
        return ZERO if literal_value(expr) == 0 else OTHER
    if isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, (cst.Minus, cst.Plus)):
        inner = kind_of(expr.expression, scope, depth + 1)
        return ZERO if inner == ZERO else OTHER
    if isinstance(expr, cst.Name):
        if expr.value in ("True", "False", "None"):
            return {"True": TRUE, "False": FALSE, "None": NONE}[expr.value]
        if depth > 3:
            return OTHER
        values = variable_values(expr.value, scope)
        if values is None:
            return OTHER
        kinds = {kind_of(v, scope, depth + 1) for v in values}
        return kinds.pop() if len(kinds) == 1 else OTHER
    return OTHER


def arguments(site: CallSite, ctx: FileContext, keep: tuple[str, ...] = ()) -> Arguments:
    positional: list[str] = []
    keywords: dict[str, str] = {}
    texts: dict[str, str] = {}
    star = False
    empty = cst.Module([])
    for index, a in enumerate(site.node.args):
        if a.star == "**":
            mapping = mapping_items(a.value, site, ctx)
            if mapping is None:
                star = True
                continue
            for key, values in mapping.items():
                kinds = {kind_of(v, site.scope) for v in values}
                keywords[key] = kinds.pop() if len(kinds) == 1 else OTHER
                if key in keep and len(values) == 1:
                    texts[key] = empty.code_for_node(values[0])
                    # not written at the call: say where it comes from
                    texts[f"via:{key}"] = "**" + short_source(empty.code_for_node(a.value))
            continue
        if a.star:
            star = True
            continue
        kind = kind_of(a.value, site.scope)
        if a.keyword is None:
            if not star:
                positional.append(kind)
                texts[f"#{index}"] = empty.code_for_node(a.value)
        else:
            keywords[a.keyword.value] = kind
            if a.keyword.value in keep:
                texts[a.keyword.value] = empty.code_for_node(a.value)
    return Arguments(tuple(positional), keywords, star, texts)


#: Methods of a dict that do not add keys we cannot see.
_DICT_READS = frozenset({"get", "items", "keys", "values", "copy", "__contains__"})


def mapping_items(
    expr: cst.BaseExpression, site: CallSite, ctx: FileContext, depth: int = 0
) -> Optional[dict[str, list[cst.BaseExpression]]]:
    """The keys (and every value each may have) of a ``**mapping`` built in this function from
    dict displays, ``dict(k=v)``, ``m.update(...)``, ``m["k"] = v`` and ``m.setdefault("k", v)``;
    None when anything about it is unknown (a parameter, a call result, a ``**`` inside)."""
    if depth > 2:
        return None
    if isinstance(expr, (cst.Dict, cst.Call, cst.IfExp)):
        return _display_items(expr, site, ctx, depth)
    if not isinstance(expr, cst.Name):
        return None
    name = expr.value
    scope = site.scope.binder(name)
    if scope is None or scope.bindings[name][0] != "var":
        return None
    assigned = variable_values(name, site.scope)
    if not assigned:
        return None
    out: dict[str, list[cst.BaseExpression]] = {}
    for value in assigned:
        items = _display_items(value, site, ctx, depth)
        if items is None:
            return None
        _merge(out, items)
    for values in scope.assigns.values():
        if any(isinstance(v, cst.Name) and v.value == name for _, v in values):
            return None  # an alias may change it
    for other in ctx.calls:
        if other.scope.binder(name) is not scope:
            continue
        reads_only = other.method == "update" or (
            isinstance(other.node.func, cst.Name) and other.node.func.value == "dict"
        )
        for arg in other.node.args:
            if (
                isinstance(arg.value, cst.Name)
                and arg.value.value == name
                and arg.star != "**"
                and not reads_only
            ):
                return None  # handed to a function that may change it
        receiver = other.receiver
        if not (isinstance(receiver, cst.Name) and receiver.value == name):
            continue
        method = other.method
        if method == "update":
            for arg in other.node.args:
                if arg.keyword is not None:
                    out.setdefault(arg.keyword.value, []).append(arg.value)
                    continue
                items = mapping_items(arg.value, other, ctx, depth + 1)
                if items is None or arg.star:
                    return None
                _merge(out, items)
        elif method == "setdefault" and other.node.args:
            key = other.node.args[0].value
            text = literal_value(key) if isinstance(key, cst.SimpleString) else None
            if not isinstance(text, str):
                return None
            default = other.node.args[1].value if len(other.node.args) > 1 else cst.Name("None")
            out.setdefault(text, []).append(default)
        elif method not in _DICT_READS:
            return None
    for w in ctx.item_writes:
        if w.name == name and w.scope.binder(name) is scope:
            if w.key is None or w.value is None:
                return None  # a key we cannot read, or ``del m[...]``
            out.setdefault(w.key, []).append(w.value)
    return out


def _display_items(
    value: cst.BaseExpression, site: CallSite, ctx: FileContext, depth: int
) -> Optional[dict[str, list[cst.BaseExpression]]]:
    out: dict[str, list[cst.BaseExpression]] = {}
    if isinstance(value, cst.IfExp):  # ``{"num_workers": 4} if cuda else {}``
        for branch in (value.body, value.orelse):
            items = mapping_items(branch, site, ctx, depth + 1)
            if items is None:
                return None
            _merge(out, items)
        return out
    if isinstance(value, cst.Dict):
        for el in value.elements:
            if isinstance(el, cst.StarredDictElement):
                inner = mapping_items(el.value, site, ctx, depth + 1)
                if inner is None:
                    return None
                _merge(out, inner)
                continue
            assert isinstance(el, cst.DictElement)
            key = literal_value(el.key) if isinstance(el.key, cst.SimpleString) else None
            if not isinstance(key, str):
                return None
            out.setdefault(key, []).append(el.value)
        return out
    if (
        isinstance(value, cst.Call)
        and isinstance(value.func, cst.Name)
        and value.func.value == "dict"
        and site.scope.lookup("dict") is None
    ):
        for arg in value.args:
            if arg.keyword is None:
                inner = mapping_items(arg.value, site, ctx, depth + 1) if not arg.star else None
                if inner is None:
                    return None
                _merge(out, inner)
            else:
                out.setdefault(arg.keyword.value, []).append(arg.value)
        return out
    return None


def _merge(
    into: dict[str, list[cst.BaseExpression]], items: dict[str, list[cst.BaseExpression]]
) -> None:
    for key, values in items.items():
        into.setdefault(key, []).extend(values)


def _texts_by_name(args: Arguments, params: tuple[str, ...]) -> dict[str, str]:
    out = {k: v for k, v in args.texts.items() if not k.startswith("#")}
    for i, name in enumerate(params):
        text = args.texts.get(f"#{i}")
        if text is not None:
            out.setdefault(name, text)
    return out


_KEEP = ("num_workers", "shuffle")


def loader_calls(ctx: FileContext) -> list[LoaderCall]:
    """Direct ``DataLoader(...)`` calls of this file (memoised per file); records the calls
    that may build a project subclass in ``facts.rule_data["loaders"]`` for the program."""
    memo = ctx.state.get("loaders")
    if memo is not None:
        return memo  # type: ignore[no-any-return]
    out: list[LoaderCall] = []
    candidates: list[Candidate] = []
    for site in ctx.calls:
        q = site.qualname
        if q in apis.DATALOADERS:
            args = arguments(site, ctx, _KEEP)
            out.append(
                LoaderCall(
                    _callee_text(site),
                    args.bind(apis.DATALOADER_PARAMS),
                    args.star,
                    _texts_by_name(args, apis.DATALOADER_PARAMS),
                    ctx.span(site.node, site.stmt),
                )
            )
        elif _maybe_project_class(site, ctx):
            assert site.resolved is not None
            candidates.append(
                Candidate(
                    site.resolved,
                    _callee_text(site),
                    arguments(site, ctx, _KEEP),
                    ctx.span(site.node, site.stmt),
                )
            )
    if candidates:
        ctx.facts.rule_data["loaders"] = candidates
    ctx.state["loaders"] = out
    return out


def _callee_text(site: CallSite) -> str:
    return dotted(site.node.func) or "DataLoader"


def _maybe_project_class(site: CallSite, ctx: FileContext) -> bool:
    r = site.resolved
    if r is None:
        return False
    if r[0] == "local":
        return str(r[1]) in ctx.facts.classes
    if r[0] != "import" or not site.node.args:
        return False
    name = str(r[2])
    last = name.rsplit(".", 1)[-1]
    if not last[:1].isupper():
        return False
    return int(r[1]) > 0 or name.split(".", 1)[0] not in _EXTERNAL_ROOTS


def program_loader_calls(program: Program) -> Iterator[tuple[str, LoaderCall]]:
    """(path, call) for every call of a project DataLoader subclass anywhere in the program."""
    memo: dict[tuple[str, str], Optional[tuple[tuple[str, ...], dict[str, Literal], set[str]]]]
    memo = {}
    for key, facts in program.files.items():
        for cand in facts.rule_data.get("loaders", ()):
            for kind, k, q in program.resolve(key, cand.target):
                if kind != "class":
                    continue
                if (k, q) not in memo:
                    memo[(k, q)] = _subclass_info(program, k, q)
                info = memo[(k, q)]
                if info is None:
                    continue
                params, defaults, supplied = info
                yield (
                    facts.path,
                    LoaderCall(
                        cand.name,
                        cand.args.bind(params),
                        cand.args.star,
                        _texts_by_name(cand.args, params),
                        cand.span,
                        frozenset(supplied),
                        defaults,
                        fixable=params == apis.DATALOADER_PARAMS,
                    ),
                )
                break


def _subclass_info(
    program: Program, key: str, cls: str
) -> Optional[tuple[tuple[str, ...], dict[str, Literal], set[str]]]:
    """For a project subclass of DataLoader: its ``__init__``'s positional parameters and
    literal defaults, and what its code passes to its base itself. None if not a subclass."""
    chain = program.classes_of(key, cls)
    is_loader = any(
        base[0] == "import" and base[1] == 0 and base[2] in apis.DATALOADERS
        for _, info in chain
        for base in info.bases
    )
    if not is_loader:
        return None
    supplied: set[str] = set()
    for _, info in chain:
        supplied |= info.mentions
    for k, info in chain:
        if "__init__" in info.methods:
            scope = program.files[k].scopes.get(f"{info.name}.__init__")
            if scope is not None and scope.params:
                literal_defaults: dict[str, Literal] = {
                    name: value[1]
                    for name, value in scope.defaults.items()
                    if value[0] == "lit" and not isinstance(value[1], tuple)
                }
                return scope.params, literal_defaults, supplied
            break
    return apis.DATALOADER_PARAMS, {}, supplied
