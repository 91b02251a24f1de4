"""A loaded product line and every question the configurator asks of it.

`Catalog` is the engine's entry point (spec section 5). It compiles the catalog
lazily, once, into a junction tree (exact domains, counts, cheapest
completions, repairs; see `jtree.py`) and, only when an explanation is asked
for, into a SAT encoding (minimal explanations; see `sat.py`). Queries only
read the compiled form, so one Catalog serves many threads.

A boolean catalog (no numeric rule) that the junction tree cannot bound, such
as a feature model with 24-literal or-groups, goes to the d-DNNF backend
instead (`boolean.py`): the same answers, exact, from a compiled circuit.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from pathlib import Path

import numpy as np

from . import ddnnf
from .boolean import BooleanSpace
from .bounded import BoundedSpace
from .cnf import is_boolean, junction_tree_refuses
from .compile import (
    CompiledProblem,
    CompileError,
    OutgrewBudget,
    atoms,
    compile_model,
    numeric_measure,
    wide_rules,
)
from .compiled import CompiledStore, circuit_key
from .cpsat import CpSatSpace
from .ddnnf import CompilationFailed, compile_cnf
from .grid_count import count_linear, quick_count
from .jtree import JunctionTree
from .layered import solution_space
from .linear_count import CountTooLarge, LinearCounter
from .model import CatalogModel, Compare, Feature, NumTerm
from .problems import said, said_from_json, said_to_json
from .results import (
    Change,
    Choices,
    Completion,
    Explanation,
    PriceBreakdown,
    PriceLine,
    Repair,
    SelectionError,
    State,
)
from .sat import SatEncoding
from .shape import shape_key

EXPLANATION_CACHE_SIZE = 4096
BACKENDS = ("auto", "junction-tree", "d-DNNF", "SAT", "CP-SAT")
# A boolean catalog whose junction tree has a bag this large goes to the d-DNNF when d4 compiles it:
# a pick touches every tuple of the bags on its path. Renault big's largest bag holds 8,548 tuples
# (P95 9 ms a pick); BusyBox's 98,304 (P95 625 ms under load, 26 ms from its d-DNNF).
LARGE_BAG = 32_768
# A catalog whose price() rules cannot be lifted (bounded.py) goes to CP-SAT (cpsat.py) when the sums its
# numeric terms can reach, multiplied, exceed this (`numeric_measure`): their running totals would share
# bags of the tree. The city bike with an "at most" price rule next to its "at least" ones exceeds it (its
# running-total tree: 20M tuples, two minutes); the demo catalogs lift their price rules.
LARGE_TOTALS = 20_000
# Why a catalog goes to CP-SAT (kept with the choice in the compiled store, shown by `catalog check --json`).
REASON_PRICE = f"price() rules the tree cannot lift, whose running totals reach more than {LARGE_TOTALS:,} values"
REASON_WIDE = "a rule compiled as a circuit, too wide for a junction tree bag"
REASON_TOTALS = "its running totals outgrew the junction tree's and the layers' budgets"


def _frozen(mapping: dict) -> tuple:
    """A hashable, order-free key for a selection or customer facts."""
    return tuple(
        sorted((key, tuple(value) if isinstance(value, list | tuple) else value)
               for key, value in mapping.items())
    )


def _mentions_numbers(model: CatalogModel) -> bool:
    """Whether some rule compares a sum, a count or the price with a number."""
    return any(
        isinstance(atom, Compare)
        for constraint in model.constraints
        for expr in (constraint.condition, constraint.expr)
        for atom in atoms(expr)
    )


def _mentions_price(model: CatalogModel) -> bool:
    price = NumTerm("price")
    return any(
        isinstance(atom, Compare) and atom.term == price
        for constraint in model.constraints
        for expr in (constraint.condition, constraint.expr)
        for atom in atoms(expr)
    )


class Catalog:
    """A product line ready to configure."""

    def __init__(self, model: CatalogModel, source_text: str = "", *, backend: str = "auto"):
        """`backend`: "auto" (the junction tree unless it refuses a boolean catalog), or one forced,
        for tests and benchmarks that compare them."""
        if backend not in BACKENDS:
            raise ValueError(f"backend must be one of {', '.join(BACKENDS)}")
        self.backend = backend
        self.model = model
        self.source_text = source_text
        self.fingerprint = hashlib.sha256(source_text.encode("utf-8")).hexdigest()
        self._lock = threading.Lock()
        self._problem: CompiledProblem | None = None
        self._tree: JunctionTree | None = None
        self._sat: SatEncoding | None = None
        self._backend_lock = threading.Lock()
        self._boolean: BooleanSpace | None = None
        self._backend_chosen = False
        self._cp_sat: bool | None = None  # see uses_cp_sat
        self._backend_reason: str | None = None  # why uses_cp_sat is True (kept in the store's .backend)
        # The running-total form's refusal (OutgrewBudget) once met: the count's last route
        # (`_count_by_running_totals`) would build the same form and meet it again.
        self._totals_refused: CompileError | None = None
        self._store: CompiledStore | None = None  # set by prepare(): where compiled forms are kept
        self._circuits: CompiledStore | None = None  # set by reuse_circuits(): d4's circuits, read only
        self._choices: CompiledStore | None = None  # set by share_backend_choice(): choices kept by shape
        self._shape: str | None = None  # see `shape`
        self._guest_count: int | str | None = None  # a CP-SAT catalog's count without facts, or why refused
        # Explanations depend only on (option, picks, customer) and the catalog is
        # immutable, so customers walking the same first picks share them.
        self._explained: OrderedDict[tuple, Explanation] = OrderedDict()

    @classmethod
    def from_text(cls, text: str, path: str = "<text>", *, backend: str = "auto") -> Catalog:
        """Parse and validate a catalog given as YAML or JSON text."""
        from .loader import parse_model

        return cls(parse_model(text, path), text, backend=backend)

    @classmethod
    def from_path(cls, path: str | Path, *, backend: str = "auto") -> Catalog:
        """Load and validate a catalog file."""
        from .loader import load_model

        model = load_model(path)
        return cls(model, Path(path).read_text(encoding="utf-8", errors="replace"), backend=backend)

    def __repr__(self) -> str:
        return f"<Catalog {self.model.id} v{self.model.version}>"

    # ------------------------------------------------------------ compiled forms
    @property
    def problem(self) -> CompiledProblem:
        """The catalog compiled to variables and factors (built on first use)."""
        if self._problem is None:
            linear = self.uses_cp_sat
            with self._lock:
                if self._problem is None:
                    self._problem = self._compiled(linear)
        return self._problem

    def _compiled(self, linear: bool) -> CompiledProblem:
        """The compiled form; CP-SAT's linear form when the running totals cannot be compiled."""
        try:
            return compile_model(self.model, linear=linear)
        except OutgrewBudget as error:
            if linear or not self._may_switch_to_cp_sat():
                raise
            self._totals_refused = error
        self._refused_by_tree()
        return compile_model(self.model, linear=True)

    def _choose_cp_sat(self, reason: str) -> None:
        self._cp_sat = True
        self._backend_reason = reason

    def _refused_by_tree(self) -> None:
        """CP-SAT, because the running totals outgrew the tree's and the layers' budgets: kept by shape
        at once for a draft, whose check may be stopped by a newer text before it ends."""
        self._choose_cp_sat(REASON_TOTALS)
        if self._choices is not None:
            try:
                self._keep_by_shape(self._choices)
            except OSError:  # a folder that takes nothing costs the next draft the attempt, not this check
                pass

    def _may_switch_to_cp_sat(self) -> bool:
        """Numeric rules whose running totals the tree cannot hold go to CP-SAT, which
        states each comparison as one linear constraint: refusing the catalog is no answer."""
        return self.backend == "auto" and _mentions_numbers(self.model)

    @property
    def uses_cp_sat(self) -> bool:
        """True when this catalog is answered by CP-SAT (cpsat.py): forced, or by measured size.

        That is a catalog with price() rules the tree cannot lift (bounded.py)
        whose running totals would have more than `LARGE_TOTALS` values
        together: then not even the running-total form is compiled (minutes,
        or refused, on such catalogs), except to count.
        """
        if self._cp_sat is None and self._recall_by_shape():
            return True
        if self._cp_sat is None:
            wanted, reason = self.backend == "CP-SAT", "forced"
            if self.backend == "auto" and _mentions_price(self.model):
                liftable, size = numeric_measure(self.model, LARGE_TOTALS)
                wanted, reason = not liftable and size > LARGE_TOTALS, REASON_PRICE
            if self.backend == "auto" and not wanted and not is_boolean(self.model):
                # a rule compiled as a circuit (compile._Circuit) ties all its features in one tree bag
                wanted, reason = wide_rules(self.model), REASON_WIDE
            self._cp_sat = wanted
            self._backend_reason = reason if wanted else None
        return self._cp_sat

    @property
    def tree(self) -> JunctionTree:
        """The junction tree over the compiled problem (built on first use)."""
        if self._tree is None:
            problem = self.problem
            with self._lock:
                if self._tree is None:
                    self._tree = self._space_or_cp_sat(problem)
        return self._tree

    def _space_or_cp_sat(self, problem: CompiledProblem) -> JunctionTree | BoundedSpace | CpSatSpace:
        """`_solution_space`; when the tree and its reachable-state layers both outgrow their
        budgets on numeric rules (sum() totals too dense to enumerate), CP-SAT answers."""
        try:
            return self._solution_space(problem)
        except OutgrewBudget:
            if self.uses_cp_sat or not self._may_switch_to_cp_sat():
                raise
        self._refused_by_tree()
        self._problem = compile_model(self.model, linear=True)
        return self._cp_sat_space(self._problem)

    def _solution_space(self, problem: CompiledProblem) -> JunctionTree | BoundedSpace:
        """The junction tree; with price() rules that are gated bounds, the tree without them plus the bounds.

        A running total of the price crosses every priced feature, and next to
        the weight and volume totals it multiplies the tree's size (the city
        bike's two price rules made 7.4M tuples and 127 s). Lifted out
        (`compile_model(lift_price=True)`), the tree keeps the size it has
        without them and `BoundedSpace` answers exactly (see bounded.py).
        Price rules of another shape keep the running-total chain when its
        totals are few (`LARGE_TOTALS`), and else go to CP-SAT (cpsat.py),
        which states each comparison as one exact linear constraint.
        """
        if self.uses_cp_sat:
            return self._cp_sat_space(problem)
        if _mentions_price(self.model):
            lifted = compile_model(self.model, lift_price=True)
            if lifted.price_lifted:
                tree = solution_space(lifted)
                return tree if lifted.bounds is None else BoundedSpace(tree)
        try:
            return solution_space(problem)
        except OutgrewBudget as error:  # `problem` is the running-total form the count would build again
            self._totals_refused = error
            raise

    def _cp_sat_space(self, linear: CompiledProblem) -> CpSatSpace:
        """CP-SAT over the catalog without running totals; exact counts from a DP over collapsed totals.

        The count (linear_count.py) reads the same linear form. When its states
        outgrow their budget, the dense grid of totals counts (grid_count.py), and
        past the grid's budget the running-total tree does: both compiled
        forms declare features, options, choose counts and customer facts first
        and alike, so evidence read off one is good for the other (checked).
        """
        counters: list = []

        def count(evidence: dict[int, object]) -> int:
            if not counters:
                counters.append(LinearCounter(linear))
            try:
                return count_linear(counters[0], evidence)
            except CountTooLarge as refused:
                try:
                    return self._count_by_running_totals(linear, counters, evidence)
                except CompileError as error:  # every route refused: say why each did
                    raise CompileError(None, said("%(reason)s; the running-total tree: %(tree)s",
                                                  reason=refused.args[0], tree=error.said)) from None

        relaxation = None
        # a rule compiled as a circuit makes that tree as wide as the rule: building it alone takes minutes
        if not any(variable.kind == "circuit" for variable in linear.variables):
            try:  # without its totals the tree is small; it rules out most values before any solver call
                relaxation = solution_space(linear)
            except CompileError:
                pass
        return CpSatSpace(linear, count, relaxation)

    def _count_by_running_totals(self, linear: CompiledProblem, counters: list, evidence: dict[int, object]) -> int:
        """The running-total tree's count (slow on the catalogs that come here, or refused)."""
        if self._totals_refused is not None:  # met already (or recalled from the store): not tried again
            raise OutgrewBudget(None, self._totals_refused.text)
        if len(counters) < 2:
            try:
                full = compile_model(self.model)
                shared = ("feature_var", "option_var", "count_var", "customer_var")
                if any(getattr(linear, name) != getattr(full, name) for name in shared):
                    raise CompileError(
                        None,
                        said(
                            "internal error: the linear and running-total forms "
                            "number the variables differently"
                        ),
                    )
                counters.append(solution_space(full))
            except OutgrewBudget as error:  # the next count (other customer facts) would only meet it again
                self._totals_refused = error
                raise
        return counters[1].count(evidence)

    @property
    def sat(self) -> SatEncoding:
        """The SAT encoding used for explanations (built on first use)."""
        if self._sat is None:
            problem = self.problem
            with self._lock:
                if self._sat is None:
                    self._sat = SatEncoding(problem)
        return self._sat

    @property
    def boolean(self) -> BooleanSpace | None:
        """The d-DNNF backend when this catalog needs it, else None (the junction tree answers).

        Chosen by measured size, never by name: a boolean catalog goes there when
        one of its rules is too wide for the junction tree's compiler (seen
        without compiling) or when the tree refuses it.
        """
        if not self._backend_chosen:
            with self._backend_lock:
                if not self._backend_chosen:
                    self._boolean = self._boolean_space_if_needed()
                    self._backend_chosen = True
        return self._boolean

    def _boolean_space_if_needed(self) -> BooleanSpace | None:
        if self.backend in ("junction-tree", "CP-SAT"):
            return None
        if not is_boolean(self.model):
            if self.backend != "auto":
                raise CompileError(None, said("the %(backend)s backend takes only catalogs without numeric rules",
                                              backend=self.backend))
            return None
        stored = self._stored_circuit() if self.backend in ("auto", "d-DNNF") else None
        if stored is not None:  # chosen and compiled when this version was stored
            return BooleanSpace(self.model, compiler=lambda dimacs: self._kept_by_cnf(dimacs, stored))
        if self.backend == "auto" and not junction_tree_refuses(self.model):
            try:
                tree = self.tree
            except CompileError:
                tree = None
            if tree is not None:
                return self._circuit_if_faster(tree)
        return BooleanSpace(self.model, compiled=self.backend != "SAT", compiler=self._compile_circuit)

    def _stored_circuit(self) -> str | None:
        return self._store.load_circuit(self.fingerprint) if self._store is not None else None

    def reuse_circuits(self, store: CompiledStore) -> Catalog:
        """Take d4's circuit from `store` when a catalog with the same CNF (another text differing in
        prices, names or texts: a draft of a released version) left it there; write nothing there.

        For a draft's check: each text typed is a catalog of its own, whose
        circuit kept by its fingerprint nobody would ask for again.
        """
        self._circuits = store
        return self

    def share_backend_choice(self, store: CompiledStore) -> Catalog:
        """Take the backend chosen for a catalog of the same shape (shape.py) from `store`, and keep this
        one's choice there by its shape when the tree refuses it.

        For a draft's check: each text typed has a fingerprint of its own, but
        an edit of names, messages or prices (without price() rules) leaves
        the shape, and so the tree's refusal, as it was; an edit that changes
        the shape is judged afresh.
        """
        self._choices = store
        return self

    @property
    def shape(self) -> str:
        """The key of what the compilers read of this catalog (shape.py)."""
        if self._shape is None:
            self._shape = shape_key(self.model)
        return self._shape

    def _kept_by_cnf(self, dimacs: str, circuit: str) -> str:
        """`circuit`, also kept under its CNF's digest for drafts (a version stored before they were)."""
        key = circuit_key(dimacs)
        if self._store is not None and not self._store.holds_circuit(key):
            self._store.save_circuit(key, circuit)
        return circuit

    def _compile_circuit(self, dimacs: str) -> str:
        """d4's circuit of this catalog, kept in the compiled store when there is one.

        A circuit of the same CNF kept by another catalog is taken as it is.
        A failure is kept there too: the next process does not wait for d4 again
        within the same limits (see compiled.py).
        """
        key = circuit_key(dimacs)
        for store in (self._store, self._circuits):
            stored = store.load_circuit(key) if store is not None else None
            if stored is not None:
                if self._store is not None:
                    self._store.save_circuit(self.fingerprint, stored)
                return stored
        remembered = self._remembered_failure()
        if remembered is not None:
            raise CompilationFailed(said("%(reason)s (remembered from an earlier start; d4 was not run again)",
                                         reason=remembered))
        try:
            text = compile_cnf(dimacs)
        except CompilationFailed as error:
            if self._store is not None:
                self._store.save_failure(self.fingerprint, error.args[0], ddnnf.COMPILE_SECONDS,
                                         ddnnf.COMPILE_MEMORY_BYTES, at=time.time(), d4=ddnnf.d4_version())
            raise
        if self._store is not None:
            self._store.save_circuit(self.fingerprint, text)
            self._store.save_circuit(key, text)
        return text

    def _remembered_failure(self) -> str | None:
        """d4's stored failure on this catalog while it still holds: younger than a week, the same d4,
        and limits now no larger than they were then."""
        failure = self._store.load_failure(self.fingerprint) if self._store is not None else None
        if failure is None:
            return None
        if ddnnf.COMPILE_SECONDS > failure["seconds"] or ddnnf.COMPILE_MEMORY_BYTES > failure["memory"]:
            return None  # more room than last time: worth trying again
        at = failure.get("at")
        if not isinstance(at, int | float) or not 0 <= time.time() - at < ddnnf.FAILURE_KEPT_SECONDS:
            return None  # a week old (or of unknown age, or from the future): try again
        if failure.get("d4") != ddnnf.d4_version():
            return None  # another d4 may compile it
        return failure["reason"]

    def _circuit_if_faster(self, tree: JunctionTree) -> BooleanSpace | None:
        """A d-DNNF instead of a tree whose largest bag makes every pick slow, when d4 compiles it."""
        if tree.stats()["largest_bag"] <= LARGE_BAG:
            return None
        space = BooleanSpace(self.model, compiler=self._compile_circuit)
        if space.fallback_reason:  # d4 gave up: the tree, slow as it is, beats SAT calls
            return None
        with self._lock:
            self._tree = None  # never asked again: every question goes to the circuit
        return space

    def prepare(self, store: CompiledStore | None = None) -> Catalog:
        """Compile now rather than on the first question (for servers and benchmarks).

        With a `store`, the junction tree is read from it when it holds a sound
        one for this catalog's text and this engine; otherwise it is compiled
        and written there, so the next process (or the next start) reads it.
        A boolean catalog answered by a d-DNNF keeps d4's circuit there too, so the
        next process skips both the tree it would have measured and d4.
        (The SAT fallback keeps nothing: its solvers are built in memory.)
        """
        if store is not None and not self._backend_chosen:
            self._store = store
        if store is not None and self._tree is None and self.backend in ("auto", "junction-tree"):
            compiled = store.load(self.fingerprint)
            if compiled is not None:
                with self._lock:
                    if self._tree is None:
                        self._problem, self._tree = compiled
                return self
        if store is not None:
            self._recall_backend(store)
        if self.boolean is None:
            tree = self.tree
            if isinstance(tree, CpSatSpace):  # built in well under a second: only its choice and count are worth storing
                self._store = self._store or store
                if store is not None:
                    self._remember_backend(store)
                if store is not None and self._guest_count is not None and store.load_count(self.fingerprint) is None:
                    store.save_count(self.fingerprint, self._guest_count)
                return self
            if store is not None and not store.holds(self.fingerprint):
                if isinstance(tree, BoundedSpace):
                    try:  # its DP over totals is kept in the file: `catalog check` reads it back
                        self.count()
                    except CompileError:  # past every budget: the refusal is kept beside it (`.count`)
                        pass
                store.save(self.fingerprint, (self.problem, tree))
        return self

    def _recall_backend(self, store: CompiledStore) -> None:
        """CP-SAT, without measuring or trying the tree again, when an earlier process chose it for
        this catalog text under this engine (the store's `.backend` record, see compiled.py)."""
        if self.backend != "auto" or self._cp_sat is not None or self._problem is not None:
            return
        record = store.load_backend(self.fingerprint)
        if record is None:
            return
        if self._adopt(record) and store.load_backend(self.shape) is None:
            self._keep_by_shape(store)  # kept before choices were kept by shape: drafts of it find it now

    def _recall_by_shape(self) -> bool:
        """True (CP-SAT chosen) when the tree refused a catalog of the same shape, as kept in the
        compiled store or the one shared by drafts; never for a forced backend or a boolean catalog."""
        if self._problem is not None or not self._may_switch_to_cp_sat():
            return False
        for store in (self._store, self._choices):
            record = store.load_backend(self.shape) if store is not None else None
            if record is not None and self._adopt(record):
                return True
        return False

    def _adopt(self, record: dict) -> bool:
        """CP-SAT for the reason a kept record gives, unless something was compiled already."""
        with self._lock:
            if self._problem is not None or self._cp_sat is not None:
                return False
            self._choose_cp_sat(record["reason"])
            if record["refused"] is not None:
                self._totals_refused = OutgrewBudget(None, said_from_json(record["refused"]))
            return True

    def _remember_backend(self, store: CompiledStore) -> None:
        """Keep the choice of CP-SAT (and why) for the next process, unless it is kept already; by shape
        too, for the drafts of this catalog."""
        if self.backend != "auto" or self._backend_reason is None:
            return
        if store.load_backend(self.fingerprint) is None:
            store.save_backend(self.fingerprint, "CP-SAT", *self._choice_kept())
        if store.load_backend(self.shape) is None:
            self._keep_by_shape(store)

    def _keep_by_shape(self, store: CompiledStore) -> None:
        store.save_backend(self.shape, "CP-SAT", *self._choice_kept())

    def _choice_kept(self) -> tuple[str, dict | None]:
        """(why CP-SAT, the running-total form's refusal as JSON or None) as the store keeps them."""
        refused = self._totals_refused
        return self._backend_reason, None if refused is None else said_to_json(refused.text)

    @property
    def backend_reason(self) -> str | None:
        """Why the answers come from CP-SAT ("forced" when asked for), or None when they do not."""
        return self._backend_reason if self.uses_cp_sat else None

    # ------------------------------------------------------------ selections
    def normalize(self, selection: dict | None) -> Choices:
        """Check a selection against the catalog: feature -> tuple of option ids.

        Raises SelectionError naming an unknown feature or option. An empty pick
        (None, "" or []) means nothing chosen for that feature.
        """
        normalized: Choices = {}
        for feature_id, picked in (selection or {}).items():
            feature = self.model.feature(str(feature_id))
            if feature is None:
                raise SelectionError(f"unknown feature '{feature_id}' in catalog '{self.model.id}'")
            options = [picked] if isinstance(picked, str) else list(picked or [])
            unique: list[str] = []
            for option in options:
                if not isinstance(option, str) or feature.option(option) is None:
                    raise SelectionError(f"unknown option '{option}' of feature '{feature_id}'")
                if option not in unique:
                    unique.append(option)
            if unique:
                normalized[feature.id] = tuple(unique)
        return normalized

    def _picks(self, selection: Choices) -> list[tuple[str, str]]:
        return [(feature, option) for feature, options in selection.items() for option in options]

    def _pick_value(self, feature_id: str, option_id: str) -> tuple[int, int]:
        """The (variable, value) a pick pins."""
        feature = self.model.feature(feature_id)
        problem = self.problem
        if feature.multi:
            return problem.option_var[(feature_id, option_id)], 1
        return problem.feature_var[feature_id], feature.position(option_id)

    def _evidence(self, selection: Choices, customer: dict | None) -> dict[int, int] | None:
        """Variable -> value for the facts and picks; None when two picks clash on one variable."""
        evidence = self.problem.customer_evidence(customer)
        for feature, option in self._picks(selection):
            var, value = self._pick_value(feature, option)
            if evidence.get(var, value) != value:
                return None
            evidence[var] = value
        return evidence

    # ------------------------------------------------------------ domains
    def domains(
        self, selection: dict | None = None, customer: dict | None = None, *, alternatives: bool = False
    ) -> State:
        """Exact valid domains of every feature after a partial selection (spec section 3).

        With `alternatives`, the state also tells, for each picked one/optional
        feature, what it could switch to: exactly `domains()` of the selection
        without that feature's pick, for all of them in one pass of the tree.
        """
        picked = self.normalize(selection)
        if self.boolean is not None:
            return self._boolean_domains(picked, customer, alternatives)
        evidence = self._evidence(picked, customer)
        switchable = self._single_choice_vars(picked) if alternatives else {}
        without: dict[int, np.ndarray] = {}
        if evidence is None:
            consistent, possible = False, None
        elif alternatives:
            consistent, possible, without = self.tree.domains_leaving_out(evidence, list(switchable.values()))
        else:
            consistent, possible = self.tree.domains(evidence)
        if not consistent:
            empty = {feature.id: [] for feature in self.model.features}
            conflict = self._conflict(picked, customer)
            return State(False, False, empty, [], picked, conflict)
        domains, may_be_empty = self._read_domains(possible)
        complete = self._is_complete(picked, evidence)
        options_of = {
            feature_id: self._options_possible(self.model.feature(feature_id), without[var])
            for feature_id, var in switchable.items()
        }
        return State(True, complete, domains, may_be_empty, picked, alternatives=options_of)

    def _boolean_domains(self, picked: Choices, customer: dict | None, alternatives: bool) -> State:
        """`domains` answered by the d-DNNF backend."""
        space, picks = self.boolean, self._picks(picked)
        consistent, domains, may_be_empty = space.domains(picks, customer)
        if not consistent:
            empty = {feature.id: [] for feature in self.model.features}
            return State(False, False, empty, [], picked, self._conflict(picked, customer))
        switchable = [f for f in picked if not self.model.feature(f).multi] if alternatives else []
        options_of = space.alternatives(picks, customer, switchable)
        complete = space.is_configuration(picks, customer)
        return State(True, complete, domains, may_be_empty, picked, alternatives=options_of)

    def _single_choice_vars(self, picked: Choices) -> dict[str, int]:
        """Feature id -> its variable, for the picked one/optional features."""
        return {
            feature_id: self.problem.feature_var[feature_id]
            for feature_id in picked
            if not self.model.feature(feature_id).multi
        }

    @staticmethod
    def _options_possible(feature: Feature, values: np.ndarray) -> list[str]:
        """The options of a one/optional feature whose value is marked possible (its "none" left out)."""
        return [option.id for position, option in enumerate(feature.options) if values[position]]

    def _read_domains(self, possible: list[np.ndarray]) -> tuple[dict[str, list[str]], list[str]]:
        problem = self.problem
        domains: dict[str, list[str]] = {}
        may_be_empty: list[str] = []
        for feature in self.model.features:
            if feature.multi:
                domains[feature.id] = [
                    o.id for o in feature.options if possible[problem.option_var[(feature.id, o.id)]][1]
                ]
                count_var = problem.count_var[feature.id]
                counts = problem.variables[count_var].values
                if 0 in counts and possible[count_var][counts.index(0)]:
                    may_be_empty.append(feature.id)
            else:
                values = possible[problem.feature_var[feature.id]]
                domains[feature.id] = self._options_possible(feature, values)
                if feature.min == 0 and values[len(feature.options)]:
                    may_be_empty.append(feature.id)
        return domains, may_be_empty

    def _is_complete(self, selection: Choices, evidence: dict[int, int]) -> bool:
        """True when the selection itself, with nothing else chosen, is a valid configuration."""
        problem = self.problem
        full = dict(evidence)
        for feature in self.model.features:
            picked = selection.get(feature.id, ())
            if feature.multi:
                if not feature.min <= len(picked) <= feature.max:
                    return False
                for option in feature.options:
                    full[problem.option_var[(feature.id, option.id)]] = int(option.id in picked)
            elif not picked:
                if feature.min > 0:
                    return False
                full[problem.feature_var[feature.id]] = len(feature.options)
        return self.tree.satisfiable(full)

    # ------------------------------------------------------------ pricing
    def price(self, selection: dict | None) -> PriceBreakdown:
        """List price of every chosen option, in catalog order (Decimal)."""
        picked = self.normalize(selection)
        lines = []
        for feature in self.model.features:
            for option in feature.options:
                if option.id in picked.get(feature.id, ()):
                    lines.append(PriceLine(feature.id, option.id, option.name, option.price,
                                           feature.dimension, option.recurring))
        return PriceBreakdown(self.model.currency, lines)

    # ------------------------------------------------------------ completion
    def complete(self, selection: dict | None = None, customer: dict | None = None) -> Completion:
        """The cheapest complete valid configuration containing the selection (exact)."""
        picked = self.normalize(selection)
        chosen = self._cheapest(picked, customer)
        if chosen is None:
            return Completion(False, conflict=self._conflict(picked, customer))
        return Completion(True, self._as_selections(chosen), self.price(chosen).total)

    def _cheapest(self, picked: Choices, customer: dict | None) -> Choices | None:
        if self.boolean is not None:
            return self.boolean.cheapest(self._picks(picked), customer)
        evidence = self._evidence(picked, customer)
        values = None if evidence is None else self.tree.cheapest(evidence, self.problem.var_price)
        return None if values is None else self._configuration(values)

    def _configuration(self, values: list[int]) -> Choices:
        """Feature -> chosen options, read off a value per variable."""
        problem = self.problem
        chosen: Choices = {}
        for feature in self.model.features:
            if feature.multi:
                options = tuple(
                    o.id for o in feature.options if values[problem.option_var[(feature.id, o.id)]] == 1
                )
            else:
                value = values[problem.feature_var[feature.id]]
                options = (feature.options[value].id,) if value < len(feature.options) else ()
            if options:
                chosen[feature.id] = options
        return chosen

    def _as_selections(self, chosen: Choices) -> dict[str, str | list[str]]:
        """The JSON shape: a string per one/optional feature, a list per multi-select one."""
        result: dict[str, str | list[str]] = {}
        for feature in self.model.features:
            options = chosen.get(feature.id, ())
            if options:
                result[feature.id] = list(options) if feature.multi else options[0]
        return result

    # ------------------------------------------------------------ repair
    def repair(
        self, feature_id: str, option_id: str, selection: dict | None = None, customer: dict | None = None
    ) -> Repair | None:
        """The fewest picks to change so that `feature_id=option_id` becomes possible.

        Among repairs of that size, the one whose cheapest completion costs least.
        None when no configuration at all can pick the option for this customer.
        """
        picked = self.normalize(selection)
        self.normalize({feature_id: option_id})
        completion = self._repair_completion(feature_id, option_id, picked, customer)
        if completion is None:
            return None
        changes, after = self._changes(picked, completion, feature_id, option_id)
        return Repair(
            (feature_id, option_id),
            changes,
            self._as_selections(after),
            self.price(picked).total,
            self.price(after).total,
        )

    def _repair_completion(
        self, feature_id: str, option_id: str, picked: Choices, customer: dict | None
    ) -> Choices | None:
        """The cheapest configuration with the wanted option that gives up the fewest picks."""
        if self.boolean is not None:
            keep = [
                (feature, option) for feature, option in self._picks(picked)
                if feature != feature_id or self.model.feature(feature).multi
            ]
            return self.boolean.cheapest([(feature_id, option_id)], customer, keep)
        evidence = self.problem.customer_evidence(customer)
        var, value = self._pick_value(feature_id, option_id)
        evidence[var] = value
        values = self.tree.cheapest(evidence, self._repair_costs(picked, feature_id))
        return None if values is None else self._configuration(values)

    def _repair_costs(self, picked: Choices, wanted_feature: str) -> dict[int, np.ndarray]:
        """Price per value, plus a penalty above any price for each pick given up."""
        problem = self.problem
        penalty = int(sum(int(p.max()) for p in problem.var_price.values())) + 1
        costs = {var: prices.copy() for var, prices in problem.var_price.items()}
        for feature, option in self._picks(picked):
            if feature == wanted_feature and not self.model.feature(feature).multi:
                continue
            var, value = self._pick_value(feature, option)
            keep = np.full(problem.variables[var].size, penalty, dtype=np.int64)
            keep[value] = 0
            costs[var] = costs.get(var, np.zeros_like(keep)) + keep
        return costs

    def _changes(self, picked: Choices, completion: Choices, wanted_feature: str, wanted_option: str):
        """The picks the completion gives up, and the new selection (picks kept + replacements)."""
        changes: list[Change] = []
        after: Choices = {}
        for feature_id, options in picked.items():
            now = completion.get(feature_id, ())
            feature = self.model.feature(feature_id)
            if feature_id == wanted_feature and not feature.multi:
                continue
            lost = [o for o in options if o not in now]
            if not lost:
                after[feature_id] = options
                continue
            replacement = [] if feature.multi else list(now)
            kept = [o for o in options if o in now]
            changes.append(Change(feature_id, list(options), kept + replacement))
            if kept + replacement:
                after[feature_id] = tuple(kept + replacement)
        before = list(picked.get(wanted_feature, ()))
        if self.model.feature(wanted_feature).multi:
            after[wanted_feature] = tuple(dict.fromkeys([*after.get(wanted_feature, ()), wanted_option]))
        else:
            if before and before != [wanted_option]:
                changes.insert(0, Change(wanted_feature, before, [wanted_option]))
            after[wanted_feature] = (wanted_option,)
        return changes, after

    # ------------------------------------------------------------ explanations
    def explain(
        self, feature_id: str, option_id: str, selection: dict | None = None, customer: dict | None = None
    ) -> Explanation:
        """Why `feature_id=option_id` is impossible: a minimal set of picks and rules."""
        picked = self.normalize(selection)
        self.normalize({feature_id: option_id})
        key = (feature_id, option_id, _frozen(picked), _frozen(customer or {}))
        with self._lock:
            if key in self._explained:
                self._explained.move_to_end(key)
                return self._explained[key]
        explanation = self._explain(feature_id, option_id, picked, customer)
        with self._lock:
            self._explained[key] = explanation
            while len(self._explained) > EXPLANATION_CACHE_SIZE:
                self._explained.popitem(last=False)
        return explanation

    def _explain(
        self, feature_id: str, option_id: str, picked: Choices, customer: dict | None
    ) -> Explanation:
        state = self.domains(picked, customer)
        if state.consistent and option_id in state.domains[feature_id]:
            return Explanation((feature_id, option_id), True)
        if self.boolean is not None:
            selections, constraints = self.boolean.minimal_reason(
                self._picks(picked), customer, (feature_id, option_id)
            )
            return Explanation((feature_id, option_id), False, selections, constraints)
        selections, constraints = self._minimal_reason(picked, customer, self._pick_value(feature_id, option_id))
        return Explanation((feature_id, option_id), False, selections, constraints)

    def _conflict(self, picked: Choices, customer: dict | None) -> Explanation:
        """A minimal set of picks and rules that cannot hold together."""
        selections, constraints = self._minimal_reason(picked, customer, None)
        return Explanation(None, False, selections, constraints)

    def _minimal_reason(self, picked: Choices, customer: dict | None, target: tuple[int, int] | None):
        """Minimal picks and rules ruling out the (variable, value) `target`, or clashing (None)."""
        if self.boolean is not None:
            return self.boolean.minimal_reason(self._picks(picked), customer, None)
        if isinstance(self.tree, CpSatSpace):
            return self._cp_sat_reason(picked, customer, target)
        sat = self.sat
        hard = [sat.value_lits[var][value] for var, value in self.problem.customer_evidence(customer).items()]
        if target is not None:
            hard.append(sat.value_lits[target[0]][target[1]])
        pick_of_lit: dict[int, tuple[str, str]] = {}
        for feature, option in self._picks(picked):
            var, value = self._pick_value(feature, option)
            pick_of_lit.setdefault(sat.value_lits[var][value], (feature, option))
        rule_of_lit = {lit: position for position, lit in sat.all_rules().items()}
        core = sat.minimal_core(hard, list(pick_of_lit) + list(rule_of_lit))
        if core is None:
            return [], []
        selections = [pick_of_lit[lit] for lit in core if lit in pick_of_lit]
        rules = sorted(rule_of_lit[lit] for lit in core if lit in rule_of_lit)
        return selections, [self.model.constraints[position] for position in rules]

    def _cp_sat_reason(self, picked: Choices, customer: dict | None, target: tuple[int, int] | None):
        """`_minimal_reason` from CP-SAT: picks and rule selectors as assumptions, shrunk to a minimal set."""
        space: CpSatSpace = self.tree
        evidence = dict(self.problem.customer_evidence(customer))
        if target is not None:
            evidence[target[0]] = target[1]
        pick_of_lit: dict[int, tuple[str, str]] = {}
        for feature, option in self._picks(picked):
            var, value = self._pick_value(feature, option)
            pick_of_lit.setdefault(space.value_lits[var][value], (feature, option))
        rule_of_lit = {lit: position for position, lit in space.rule_lits.items()}
        core = space.minimal_core(evidence, list(pick_of_lit) + list(rule_of_lit))
        if core is None:
            return [], []
        selections = [pick_of_lit[lit] for lit in core if lit in pick_of_lit]
        rules = sorted(rule_of_lit[lit] for lit in core if lit in rule_of_lit)
        return selections, [self.model.constraints[position] for position in rules]

    # ------------------------------------------------------------ counting
    def count(self, customer: dict | None = None) -> int:
        """The exact number of complete valid configurations for this customer (no facts by default)."""
        if self.boolean is not None:
            return self.boolean.count(customer)
        if isinstance(self.tree, (CpSatSpace, BoundedSpace)) and not customer:
            return self._kept_guest_count()
        return self._count_or_linear(customer)

    def _count_or_linear(self, customer: dict | None) -> int:
        """The solution space's count; past the budget of the DP over price levels
        (bounded.py), the linear counter's over the linear form (linear_count.py),
        then the dense grid's (grid_count.py).

        A dense grid whose size and work are small goes before the DP over price
        levels: its cost is known in advance, that DP's only per step.
        """
        linear = compile_model(self.model, linear=True) if isinstance(self.tree, BoundedSpace) else None
        if linear is not None:
            quick = quick_count(linear, linear.customer_evidence(customer))
            if quick is not None:
                return quick
        try:
            return self.tree.count(self.problem.customer_evidence(customer))
        except CompileError:
            if linear is None:
                raise
        try:
            return count_linear(LinearCounter(linear), linear.customer_evidence(customer))
        except CountTooLarge as error:
            raise CompileError(None, error.args[0]) from None

    def _kept_guest_count(self) -> int:
        """The count without facts (what `catalog check` reports), kept in the compiled store once known.

        A refusal (CompileError: every counting route outgrew its budget) is kept
        too and raised again without counting.
        """
        if self._guest_count is None and self._store is not None:
            stored = self._store.load_count(self.fingerprint)
            if isinstance(stored, str):
                stored = said("%(reason)s (remembered from an earlier count of this version; not counted again)",
                              reason=stored)
            self._guest_count = stored
        if self._guest_count is None:
            self._guest_count = self._count_kept_by_shape()
        if self._guest_count is None:
            try:
                self._guest_count = self._count_or_linear(None)
            except CompileError as error:
                self._guest_count = error.said
            if self._store is not None:
                self._store.save_count(self.fingerprint, self._guest_count)
            self._keep_count_by_shape()
        if isinstance(self._guest_count, str):
            raise CompileError(None, self._guest_count)
        return self._guest_count

    def _count_kept_by_shape(self) -> int | None:
        """The count of a catalog of the same shape (shape.py: everything the count reads), when one was
        counted: a draft's text whose edit left the shape gets it without counting (seconds to minutes)."""
        for store in (self._store, self._choices):
            if store is not None and self._may_switch_to_cp_sat():  # numeric, not forced: as choices are kept
                kept = store.load_count(self.shape)
                if isinstance(kept, int):  # a refusal is kept per version only (its message says so)
                    return kept
        return None

    def _keep_count_by_shape(self) -> None:
        if not isinstance(self._guest_count, int) or not self._may_switch_to_cp_sat():
            return
        for store in {id(s): s for s in (self._store, self._choices) if s is not None}.values():
            try:
                store.save_count(self.shape, self._guest_count)
            except OSError:  # a folder that takes nothing costs the next text the count, not this one
                pass

    def check(self):
        """Everything `configurator catalog check` reports (see `check.py`)."""
        from .check import check_catalog

        return check_catalog(self)

    def feature_order(self) -> list[Feature]:
        """The questions of a guided flow, in order (see `graph.py`)."""
        from .graph import question_order

        return question_order(self.model)
