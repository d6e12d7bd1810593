"""The benchmark's peers (atlas.tools.bench): the same page data computed the naive way, in pandas
(from the CSVs, and in memory) and in polars."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from atlas.tools.bench_common import say


def _top_parent(firms: pd.DataFrame) -> pd.Series:
    parent = firms.set_index("firm_id")["parent_id"]
    top = parent.index.to_series()
    for _ in range(10):
        up = parent.reindex(top).to_numpy()
        has = pd.notna(up)
        if not has.any():
            break
        top = top.where(~has, up)
    return top


PEER_TABLES = ("people", "firms", "moves", "compensation", "funding_rounds", "round_investors", "fx_rates", "sources")


def _time_peer(name: str, *pages: Callable[[], None]) -> dict[str, float]:
    """Seconds per page of a peer's page functions, given in the order of PEER_PAGES."""
    out = {}
    for title, fn in zip(PEER_PAGES, pages, strict=True):
        t = time.perf_counter()
        fn()
        out[title] = time.perf_counter() - t
        say(f"  {name} {title:<15} {out[title] * 1000:.0f} ms")
    return out


PEER_PAGES = ("Overview", "Talent flows", "Pay offers", "Funding", "People & firms", "Data")


def pandas_peer(csv_dir: Path, in_memory: bool = False) -> dict[str, float]:
    """Each page's main data the way an analyst would write it in pandas, groupby. From the CSVs
    on every page (a script that reads its files), or (in_memory) from frames read once
    beforehand, as a Streamlit dashboard that caches its frames does; the reading is not timed."""
    frames: dict[str, pd.DataFrame] = {}
    if in_memory:
        for name in PEER_TABLES:
            frames[name] = pd.read_csv(csv_dir / f"{name}.csv", low_memory=False)

    def read(name: str) -> pd.DataFrame:
        if in_memory:
            return frames[name].copy(deep=False)  # columns a page adds stay its own
        return pd.read_csv(csv_dir / f"{name}.csv", low_memory=False)

    def money(df: pd.DataFrame, date_col: str, fx: pd.DataFrame) -> pd.DataFrame:
        df["year"] = pd.to_numeric(df[date_col].astype(str).str[:4], errors="coerce")
        return df.merge(fx[["currency", "year", "usd_per_unit"]], on=["currency", "year"], how="left")

    def overview() -> None:
        # the headline counts, moves per year and type, capital raised per year in dollars
        frames_ = {name: read(name) for name in ("people", "firms", "moves", "compensation", "funding_rounds")}
        for df in frames_.values():
            len(df)
        moves = frames_["moves"]
        moves.groupby([moves["moved_on"].astype(str).str[:4], "move_type"]).size()
        rounds = money(frames_["funding_rounds"], "announced_on", read("fx_rates"))
        (rounds["amount"] * rounds["usd_per_unit"]).groupby(rounds["year"]).sum()

    def flows() -> None:
        moves, firms = read("moves"), read("firms")
        top = _top_parent(firms)
        moves["src"] = moves["from_firm_id"].map(top)
        moves["dst"] = moves["to_firm_id"].map(top)
        moves.groupby(["src", "dst"], dropna=False).size().nlargest(200)
        gained = moves.groupby("dst").size()
        lost = moves.groupby("src").size()
        gained.sub(lost, fill_value=0).sort_values()
        moves["year"] = moves["moved_on"].str[:4]
        moves.groupby(["year", "move_type"]).size()

    def pay() -> None:
        # what the Pay page shows: the largest figures with names and sources, the
        # distribution per kind, and the figures by firm, year and outcome
        comp, fx = read("compensation"), read("fx_rates")
        firms, people, sources = read("firms"), read("people"), read("sources")
        comp = money(comp, "reported_on", fx)
        comp["usd"] = comp[["amount_low", "amount_high"]].mean(axis=1) * comp["usd_per_unit"]
        comp["high_usd"] = comp["amount_high"] * comp["usd_per_unit"]
        top = comp.nlargest(2000, "high_usd")
        names = ["name", "name_zh"]
        top = top.merge(sources[["source_id", "title", "publisher"]], on="source_id")
        top = top.merge(firms[["firm_id", *names]], on="firm_id")
        top.merge(people[["person_id", *names]], on="person_id", how="left")
        comp["bin"] = (np.log10(comp["usd"].where(comp["usd"] > 0)) * 4).floordiv(1)
        comp.groupby(["kind", "period", "bin"]).size()
        comp.groupby(["firm_id", "kind"])["usd"].agg(["median", "max", "size"]).reset_index().merge(
            firms[["firm_id", *names]], on="firm_id"
        )
        comp.groupby(["year", "kind"])["usd"].median()
        comp.groupby(["outcome", "kind"])["usd"].agg(["median", "size"])

    def funding() -> None:
        # what the Funding page shows: the rounds with their investors, capital raised over
        # time, the largest investors' alliances, deals with the people who moved, and the
        # comparison of five firms (rounds, investors, moves in and out, pay)
        rounds, fx, investors = read("funding_rounds"), read("fx_rates"), read("round_investors")
        firms, sources, moves, comp = read("firms"), read("sources"), read("moves"), read("compensation")
        rounds = money(rounds, "announced_on", fx)
        rounds["usd"] = rounds["amount"] * rounds["usd_per_unit"]
        top = rounds.nlargest(5000, "usd").merge(sources[["source_id", "title"]], on="source_id")
        investors[investors["round_id"].isin(top["round_id"])].merge(
            firms[["firm_id", "name"]], left_on="investor_id", right_on="firm_id"
        )
        rounds.groupby(["firm_id", "year"])["usd"].sum().groupby(level=0).cumsum()
        pairs = investors.merge(rounds[["round_id", "firm_id", "usd"]], on="round_id")
        biggest = pairs.groupby("investor_id")["usd"].sum().nlargest(15).index
        pairs[pairs["investor_id"].isin(biggest)].groupby(["investor_id", "firm_id"])["usd"].agg(["sum", "size"])
        deals = rounds[rounds["round_type"].isin(["acquisition", "acquihire"])].nlargest(500, "usd")
        leads = investors[investors["is_lead"].astype(str).str.lower() == "true"]
        deals = deals.merge(leads, on="round_id", how="left")
        deals.merge(moves, left_on=["firm_id", "investor_id"], right_on=["from_firm_id", "to_firm_id"], how="left")
        chosen = rounds.groupby("firm_id")["usd"].sum().nlargest(5).index
        rounds[rounds["firm_id"].isin(chosen)].groupby("firm_id")["usd"].agg(["sum", "size"])
        moves[moves["to_firm_id"].isin(chosen)].groupby("to_firm_id").size()
        moves[moves["from_firm_id"].isin(chosen)].groupby("from_firm_id").size()
        comp[comp["firm_id"].isin(chosen)].groupby("firm_id")["amount_high"].max()

    def profiles() -> None:
        # the default view: the pickers' most-moved people, the people list (latest firm, moves,
        # first 500 by name) and the firm list (moves in and out, first 500 by name)
        moves, people, firms = read("moves"), read("people"), read("firms")
        per_person = (
            moves.sort_values("moved_on")
            .groupby("person_id")
            .agg(n_moves=("move_id", "size"), current=("to_firm_id", "last"))
        )
        per_person.nlargest(200, "n_moves")
        people.merge(per_person, left_on="person_id", right_index=True, how="left").sort_values("name").head(500)
        counts = pd.concat([moves["to_firm_id"].value_counts(), moves["from_firm_id"].value_counts()], axis=1)
        firms.merge(counts, left_on="firm_id", right_index=True, how="left").sort_values("name").head(500)

    def data() -> None:
        if in_memory:
            # what the page shows: the row counts, the sources with how many facts cite each,
            # and the merge pickers' most-moved people
            for name in PEER_TABLES:
                len(frames[name])
            cited = pd.concat(
                [frames[t]["source_id"] for t in ("moves", "compensation", "funding_rounds")]
            ).value_counts()
            sources = frames["sources"].assign(n_facts=frames["sources"]["source_id"].map(cited).fillna(0))
            sources.sort_values("published_on", ascending=False)
            frames["moves"]["person_id"].value_counts().nlargest(200)
            return
        for f in csv_dir.glob("*.csv"):
            len(pd.read_csv(f))

    return _time_peer(
        f"pandas peer{' (in memory)' if in_memory else ''}", overview, flows, pay, funding, profiles, data
    )


def polars_peer(csv_dir: Path) -> dict[str, float]:
    """The same page data in polars, from frames read once beforehand (not timed)."""
    import polars as pl

    frames = {
        name: pl.read_csv(csv_dir / f"{name}.csv", infer_schema_length=100_000, try_parse_dates=False)
        for name in PEER_TABLES
    }
    firms = frames["firms"]
    # each firm's top-most parent, as the flow views group by
    parent = dict(zip(firms["firm_id"].to_list(), firms["parent_id"].to_list(), strict=True))

    def top_of(f: str) -> str:
        for _ in range(10):
            p = parent.get(f)
            if p is None:
                return f
            f = p
        return f

    tops = pl.DataFrame({"firm_id": firms["firm_id"], "top": [top_of(f) for f in firms["firm_id"].to_list()]})

    def money(df: pl.DataFrame, date_col: str) -> pl.DataFrame:
        fx = frames["fx_rates"].select("currency", "year", "usd_per_unit")
        return df.with_columns(
            pl.col(date_col).cast(pl.Utf8).str.slice(0, 4).cast(pl.Int64, strict=False).alias("year")
        ).join(fx, on=["currency", "year"], how="left")

    def overview() -> None:
        for name in ("people", "firms", "moves", "compensation", "funding_rounds"):
            _ = frames[name].height
        frames["moves"].group_by(pl.col("moved_on").cast(pl.Utf8).str.slice(0, 4), "move_type").len()
        money(frames["funding_rounds"], "announced_on").group_by("year").agg(
            (pl.col("amount") * pl.col("usd_per_unit")).sum()
        )

    def flows() -> None:
        moves = frames["moves"]
        m = moves.join(tops.rename({"firm_id": "from_firm_id", "top": "src"}), on="from_firm_id", how="left").join(
            tops.rename({"firm_id": "to_firm_id", "top": "dst"}), on="to_firm_id", how="left"
        )
        m.group_by("src", "dst").len().sort("len", descending=True).head(200)
        gained = m.group_by("dst").len().rename({"dst": "g", "len": "gained"})
        lost = m.group_by("src").len().rename({"src": "g", "len": "lost"})
        gained.join(lost, on="g", how="full", coalesce=True).fill_null(0).with_columns(
            (pl.col("gained") - pl.col("lost")).alias("net")
        ).sort("net")
        m.with_columns(pl.col("moved_on").cast(pl.Utf8).str.slice(0, 4).alias("year")).group_by(
            "year", "move_type"
        ).len()

    def pay() -> None:
        comp = money(frames["compensation"], "reported_on")
        comp = comp.with_columns(
            ((pl.col("amount_low") + pl.col("amount_high")) / 2 * pl.col("usd_per_unit")).alias("usd"),
            (pl.col("amount_high") * pl.col("usd_per_unit")).alias("high_usd"),
        )
        names = ["name", "name_zh"]
        top = comp.sort("high_usd", descending=True, nulls_last=True).head(2000)
        top = top.join(frames["sources"].select("source_id", "title", "publisher"), on="source_id", how="left")
        top = top.join(firms.select("firm_id", *names), on="firm_id", how="left")
        top.join(frames["people"].select("person_id", *names), on="person_id", how="left")
        comp.with_columns((pl.col("usd").filter(pl.col("usd") > 0).log10() * 4).floor().alias("bin")).group_by(
            "kind", "period", "bin"
        ).len()
        comp.group_by("firm_id", "kind").agg(
            pl.col("usd").median().alias("median"), pl.col("usd").max().alias("max"), pl.len()
        ).join(firms.select("firm_id", *names), on="firm_id", how="left")
        comp.group_by("year", "kind").agg(pl.col("usd").median())
        comp.group_by("outcome", "kind").agg(pl.col("usd").median(), pl.len())

    def funding() -> None:
        rounds = money(frames["funding_rounds"], "announced_on").with_columns(
            (pl.col("amount") * pl.col("usd_per_unit")).alias("usd")
        )
        investors, moves, comp = frames["round_investors"], frames["moves"], frames["compensation"]
        top = rounds.sort("usd", descending=True, nulls_last=True).head(5000)
        top = top.join(frames["sources"].select("source_id", "title"), on="source_id", how="left")
        investors.filter(pl.col("round_id").is_in(top["round_id"].implode())).join(
            firms.select("firm_id", "name"), left_on="investor_id", right_on="firm_id", how="left"
        )
        rounds.group_by("firm_id", "year").agg(pl.col("usd").sum()).sort("firm_id", "year").with_columns(
            pl.col("usd").cum_sum().over("firm_id")
        )
        pairs = investors.join(rounds.select("round_id", "firm_id", "usd"), on="round_id")
        biggest = pairs.group_by("investor_id").agg(pl.col("usd").sum()).sort("usd", descending=True).head(15)
        pairs.filter(pl.col("investor_id").is_in(biggest["investor_id"].implode())).group_by(
            "investor_id", "firm_id"
        ).agg(pl.col("usd").sum(), pl.len())
        deals = (
            rounds.filter(pl.col("round_type").is_in(["acquisition", "acquihire"]))
            .sort("usd", descending=True, nulls_last=True)
            .head(500)
        )
        leads = investors.filter(pl.col("is_lead").cast(pl.Utf8).str.to_lowercase() == "true")
        deals = deals.join(leads, on="round_id", how="left")
        deals.join(moves, left_on=["firm_id", "investor_id"], right_on=["from_firm_id", "to_firm_id"], how="left")
        chosen = rounds.group_by("firm_id").agg(pl.col("usd").sum()).sort("usd", descending=True).head(5)["firm_id"]
        rounds.filter(pl.col("firm_id").is_in(chosen.implode())).group_by("firm_id").agg(pl.col("usd").sum(), pl.len())
        moves.filter(pl.col("to_firm_id").is_in(chosen.implode())).group_by("to_firm_id").len()
        moves.filter(pl.col("from_firm_id").is_in(chosen.implode())).group_by("from_firm_id").len()
        comp.filter(pl.col("firm_id").is_in(chosen.implode())).group_by("firm_id").agg(pl.col("amount_high").max())

    def profiles() -> None:
        # the default view, as the pandas peer computes it
        moves = frames["moves"]
        per_person = (
            moves.sort("moved_on")
            .group_by("person_id")
            .agg(pl.len().alias("n_moves"), pl.col("to_firm_id").last().alias("current"))
        )
        per_person.top_k(200, by="n_moves")
        frames["people"].join(per_person, on="person_id", how="left").sort("name").head(500)
        into = moves.group_by("to_firm_id").len().rename({"to_firm_id": "firm_id", "len": "n_in"})
        out = moves.group_by("from_firm_id").len().rename({"from_firm_id": "firm_id", "len": "n_out"})
        frames["firms"].join(into, on="firm_id", how="left").join(out, on="firm_id", how="left").sort("name").head(500)

    def data() -> None:
        for name in PEER_TABLES:
            _ = frames[name].height
        cited = (
            pl.concat([frames[t].select("source_id") for t in ("moves", "compensation", "funding_rounds")])
            .group_by("source_id")
            .len()
        )
        frames["sources"].join(cited, on="source_id", how="left").sort("published_on", descending=True, nulls_last=True)
        frames["moves"].group_by("person_id").len().top_k(200, by="len")

    return _time_peer("polars peer (in memory)", overview, flows, pay, funding, profiles, data)
