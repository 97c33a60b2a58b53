"""Properties of the projections over generated logs, junk included."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from projections import TABS, Event, Projection, event_from_record
from tests.bbh_examples import EXAMPLES, events_from, received_at

LANGUAGES = ("vi", "en")
SETTINGS = settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

# Any JSON value, NaN-free as a real body is.
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)


def mostly(strategy: st.SearchStrategy) -> st.SearchStrategy:
    """Draw from ``strategy`` most of the time, and any JSON value else."""
    return st.one_of(strategy, strategy, strategy, json_values)


# Small pools, so that generated events keep meeting the same keys.
order_ids = mostly(st.sampled_from(["1278295", "1278296", " 1278297", 1278298]))
psids = mostly(st.sampled_from(["2874888275870129", "2215616798496070", "100"]))
catalog_ids = mostly(
    st.sampled_from(["5c7b77887bce6d001244ec89", "5c7ea4bcaa5c99001118e04f", "9"])
)
backlink_refs = mostly(st.sampled_from(["8C1kTrp0X", "ref-2"]))
texts = mostly(
    st.sampled_from(["Sáng da bằng nhũ tương", "Mặt nạ ngủ", "Nguyễn", "Lê", ""])
)
numbers = mostly(
    st.sampled_from(["475000", "0", "20.000", "abc", "", "1", 3, 2.0, None])
)
genders = mostly(st.sampled_from(["male", "female", "khác"]))
phones = mostly(st.sampled_from(["0344559823", "0912345678"]))

items = st.fixed_dictionaries(
    {},
    optional={
        "id": catalog_ids,
        "title": texts,
        "price": numbers,
        "discount": numbers,
        "quantity": numbers,
        "images_url": mostly(st.lists(st.just("https://a.vn/1.jpg"), max_size=2)),
    },
)
client_blocks = st.fixed_dictionaries(
    {},
    optional={
        "psid": psids,
        "first_name": texts,
        "last_name": texts,
        "gender": genders,
    },
)
orders = st.fixed_dictionaries(
    {"idorder": order_ids},
    optional={
        "orders": mostly(st.lists(mostly(items), max_size=3)),
        "status": texts,
        "note": texts,
        "client": mostly(client_blocks),
        "total_cost": numbers,
        "total_quantity": numbers,
        "ship": mostly(st.fixed_dictionaries({}, optional={"phone": phones})),
    },
)
client_fields = st.fixed_dictionaries(
    {"id": psids},
    optional={"first_name": texts, "last_name": texts, "gender": genders},
)
catalog_fields = st.fixed_dictionaries({"id": catalog_ids}, optional={"title": texts})
activations = st.fixed_dictionaries(
    {"backlink": backlink_refs, "client": psids},
    optional={"is_new_client": mostly(st.booleans())},
)
catalog_names = st.sampled_from(
    [
        f"{kind}:{action}"
        for kind in ("category", "product")
        for action in ("new", "update", "remove")
    ]
)


def body(name: st.SearchStrategy, data: st.SearchStrategy) -> st.SearchStrategy:
    return st.builds(lambda n, d: {"event": n, "data": d}, name, data)


bodies = st.one_of(
    body(st.just("order:new"), mostly(orders)),
    body(st.sampled_from(["client:new", "client:update"]), mostly(client_fields)),
    body(catalog_names, mostly(catalog_fields)),
    body(st.just("backlink:active"), mostly(activations)),
    body(st.text(max_size=15), json_values),
)
logs = st.lists(bodies, max_size=25)


def all_rows(projection: Projection) -> dict[tuple[str, str], list[list]]:
    return {
        (tab.id, language): projection.rows(tab.id, language)
        for tab in TABS
        for language in LANGUAGES
    }


def folded(events: list[Event]) -> Projection:
    projection = Projection()
    projection.fold(events)
    return projection


def spaced_events(log: list[dict]) -> list[Event]:
    """Store bodies with even seqs, leaving room for a copy after each."""
    return [
        event_from_record(
            2 * seq, received_at(2 * seq), body["event"], json.dumps(body)
        )
        for seq, body in enumerate(log, start=1)
    ]


@SETTINGS
@given(log=logs, split=st.integers(min_value=0))
def test_incremental_fold_over_any_split_equals_one_pass(
    log: list[dict], split: int
) -> None:
    events = events_from(log)
    split %= len(events) + 1
    projection = folded(events[:split])
    # A rebuild at the split, then rows re-rendered only when reported.
    mirror = {
        (tab.id, language): dict(
            zip(projection.states[tab.id].positions, rows, strict=True)
        )
        for tab in TABS
        for language in LANGUAGES
        for rows in [projection.rows(tab.id, language)]
    }
    for event in events[split:]:
        for tab_id, keys in projection.apply(event).items():
            for key in keys:
                for language in LANGUAGES:
                    mirror[tab_id, language][key] = projection.row(
                        tab_id, key, language
                    )

    one_pass = folded(events)
    for (tab_id, language), rows in all_rows(one_pass).items():
        positions = projection.states[tab_id].positions
        assert list(positions.items()) == (
            list(one_pass.states[tab_id].positions.items())
        )
        in_order = sorted(
            mirror[tab_id, language].items(), key=lambda kv: positions[kv[0]]
        )
        assert [row for _, row in in_order] == rows


@SETTINGS
@given(log=logs)
def test_folding_twice_from_scratch_gives_identical_rows(log: list[dict]) -> None:
    assert all_rows(folded(events_from(log))) == all_rows(folded(events_from(log)))


event_names = st.sampled_from(
    [
        "order:new",
        "client:new",
        "client:update",
        "category:new",
        "product:remove",
        "backlink:active",
    ]
) | st.text(max_size=15)


@SETTINGS
@given(log=st.lists(st.tuples(event_names, json_values), min_size=1, max_size=12))
def test_arbitrary_json_never_raises(log: list[tuple[str, Any]]) -> None:
    projection = Projection()
    for seq, (name, data) in enumerate(log, start=1):
        for tab_id, keys in projection.apply(
            Event(seq, received_at(seq), name, data)
        ).items():
            for key in keys:
                projection.row(tab_id, key, "en")
    all_rows(projection)


def paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    """List the path of every value nested inside a JSON value."""
    found = [prefix]
    if isinstance(value, dict):
        for key, inner in value.items():
            found += paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found += paths(inner, (*prefix, index))
    return found


def replaced(value: Any, path: tuple, new: Any) -> Any:
    if not path:
        return new
    copy = json.loads(json.dumps(value))
    holder = copy
    for step in path[:-1]:
        holder = holder[step]
    holder[path[-1]] = new
    return copy


@st.composite
def near_valid_bodies(draw: st.DrawFn) -> dict:
    """Draw a documented example with some field replaced by any JSON."""
    _, example = draw(st.sampled_from(EXAMPLES))
    data = example["data"]
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(paths(data)))
        data = replaced(data, path, draw(json_values))
    return {"event": example["event"], "data": data}


@SETTINGS
@given(
    log=st.lists(
        near_valid_bodies() | st.sampled_from([body for _, body in EXAMPLES]),
        max_size=15,
    )
)
def test_examples_with_fields_replaced_never_raise(log: list[dict]) -> None:
    projection = Projection()
    for event in events_from(log):
        for tab_id, keys in projection.apply(event).items():
            for key in keys:
                projection.row(tab_id, key, "vi")
    all_rows(projection)


@SETTINGS
@given(payload=st.binary(max_size=40) | st.text(max_size=40))
def test_any_stored_body_reads_without_raising(payload: bytes | str) -> None:
    event = event_from_record(1, received_at(1), "order:new", payload)
    Projection().apply(event)


# Columns that count deliveries or show the latest delivery's time.
DELIVERY_COLUMNS = {
    "backlinks": {"Activations", "Last"},
    "catalog": {"Updated", "Removed"},
}


def without_delivery_columns(rows: dict) -> dict:
    kept = {}
    for (tab_id, language), tab_rows in rows.items():
        tab = next(tab for tab in TABS if tab.id == tab_id)
        skip = DELIVERY_COLUMNS.get(tab_id, set())
        kept[tab_id, language] = [
            [
                cell
                for column, cell in zip(tab.columns, row, strict=True)
                if column.en not in skip
            ]
            for row in tab_rows
        ]
    return kept


@SETTINGS
@given(log=st.lists(bodies, min_size=1, max_size=20), index=st.integers(0))
def test_event_delivered_twice_changes_only_delivery_counts(
    log: list[dict], index: int
) -> None:
    events = spaced_events(log)
    index %= len(events)
    original = events[index]
    copy = Event(
        original.seq + 1, received_at(original.seq + 1), original.name, original.data
    )
    twice = [*events[: index + 1], copy, *events[index + 1 :]]
    assert without_delivery_columns(all_rows(folded(twice))) == (
        without_delivery_columns(all_rows(folded(events)))
    )


@SETTINGS
@given(
    before=st.lists(bodies, max_size=8),
    after=st.lists(bodies, max_size=8),
    catalog_id=catalog_ids,
    new=st.sampled_from(["category:new", "product:new"]),
    update=st.sampled_from(["category:update", "product:update"]),
    titles=st.tuples(texts, texts),
)
def test_catalog_update_before_new_gives_the_same_row(
    before: list[dict],
    after: list[dict],
    catalog_id: Any,
    new: str,
    update: str,
    titles: tuple[Any, Any],
) -> None:
    created = {"event": new, "data": {"id": catalog_id, "title": titles[0]}}
    changed = {"event": update, "data": {"id": catalog_id, "title": titles[1]}}
    in_order = all_rows(folded(events_from([*before, created, changed, *after])))
    swapped = all_rows(folded(events_from([*before, changed, created, *after])))
    assert without_delivery_columns(in_order) == without_delivery_columns(swapped)


@SETTINGS
@given(
    before=st.lists(bodies, max_size=8),
    after=st.lists(bodies, max_size=8),
    new=client_fields,
    update=st.fixed_dictionaries(
        {}, optional={"first_name": texts, "last_name": texts, "gender": genders}
    ),
)
def test_client_update_before_new_gives_the_same_row(
    before: list[dict], after: list[dict], new: dict, update: dict
) -> None:
    created = {"event": "client:new", "data": new}
    changed = {"event": "client:update", "data": {**update, "id": new["id"]}}
    in_order = all_rows(folded(events_from([*before, created, changed, *after])))
    swapped = all_rows(folded(events_from([*before, changed, created, *after])))
    assert in_order == swapped
