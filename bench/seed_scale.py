"""National-scale mailbox data for the inbox and fan-out benchmarks: by default
2,000,000 person mailboxes and 10,000,000 deliveries, loaded with COPY into a
PostgreSQL database of its own.

    python bench/seed_scale.py                                    # the issue's scale
    python bench/seed_scale.py --mailboxes 200000 --deliveries 1000000   # development

Every run starts from scratch: it drops and recreates the database (default
postgres://postgres@127.0.0.1:5432/payam_scale) and migrates it. Then the keys,
unique constraints, foreign keys and indexes of the three big tables (mailboxes,
letters, deliveries) are read from the catalog, dropped, the rows are COPYed, and
each one is created again from the definition the migrations made; the catalog is
compared before and after, so the database ends exactly as production's schema.
Last, VACUUM (ANALYZE). Prints rows/s and the time of each phase and writes
bench/results/seed_scale.json.

The shape: ~50 agency mailboxes that send almost every letter (a few large senders,
many small); person mailboxes, 95% natural (valid national codes) and 5% legal
(valid national IDs), a quarter of them registered accounts (users with a person
profile; the rest placeholders); letters sent over three years, ids in time order:
campaigns of many thousand recipients carrying 60% of the deliveries, group letters
of 2-2000, single letters, and people writing to agencies. A mailbox gets about five
letters. The target — a citizen with an active inbox (bench/scale.py) — has exactly
500 letters from 500 different letters, most read, some archived or starred.
"""

import argparse
import random
import sys
import time
from array import array
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from math import gcd
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.scale import (  # noqa: E402
    DEFAULT_DATABASE_URL,
    DEFAULT_REDIS_URL,
    TARGET_FIRST_NAME,
    TARGET_LAST_NAME,
    admin_url,
    database_name,
    setup_django,
    target_code,
    write_result,
)
from payam.constants import Province  # noqa: E402

PROVINCE_VALUES = tuple(Province.values)

# The tables loaded with their keys and indexes dropped, then rebuilt.
LOADED_TABLES = ("mailbox_mailbox", "mailbox_letter", "mailbox_delivery")
INLINE_LIMIT = 2000  # LETTER_INLINE_RECIPIENTS: group letters stay under it
FANOUT_CHUNK = 20_000  # LETTER_FANOUT_CHUNK: a campaign's deliveries are stamped per chunk
COPY_BATCH = 20_000  # rows per write to the COPY stream
YEAR = 365.25 * 24 * 3600

AGENCIES = (
    "سازمان امور مالیاتی کشور",
    "سازمان تأمین اجتماعی",
    "قوه قضاییه — سامانه‌ی ثنا",
    "سازمان ثبت اسناد و املاک کشور",
    "شهرداری تهران",
    "سازمان بیمه سلامت ایران",
    "پلیس راهور فراجا",
    "سازمان هدفمندسازی یارانه‌ها",
    "وزارت آموزش و پرورش",
    "سازمان سنجش آموزش کشور",
    "سازمان ثبت احوال کشور",
    "گمرک جمهوری اسلامی ایران",
    "وزارت تعاون، کار و رفاه اجتماعی",
    "سازمان نظام وظیفه عمومی",
    "شرکت ملی گاز ایران",
    "شرکت توانیر",
    "شرکت آب و فاضلاب کشور",
    "شرکت مخابرات ایران",
    "بانک مرکزی جمهوری اسلامی ایران",
    "سازمان بورس و اوراق بهادار",
    "سازمان ملی استاندارد ایران",
    "وزارت بهداشت، درمان و آموزش پزشکی",
    "وزارت علوم، تحقیقات و فناوری",
    "سازمان بهزیستی کشور",
    "کمیته امداد امام خمینی",
    "سازمان حج و زیارت",
    "سازمان اموال تملیکی",
    "سازمان حمایت مصرف‌کنندگان و تولیدکنندگان",
    "وزارت امور خارجه",
    "دانشگاه آزاد اسلامی",
)
PROVINCES = (
    "اصفهان",
    "فارس",
    "خراسان رضوی",
    "آذربایجان شرقی",
    "خوزستان",
    "مازندران",
    "گیلان",
    "کرمان",
    "البرز",
    "قم",
    "یزد",
    "همدان",
    "کرمانشاه",
    "هرمزگان",
    "سیستان و بلوچستان",
    "لرستان",
    "مرکزی",
    "قزوین",
    "زنجان",
    "اردبیل",
)
MALE = ("علی", "محمد", "حسین", "رضا", "مهدی", "امیر", "حسن", "مصطفی", "سعید", "جواد", "کاظم")
FEMALE = ("فاطمه", "زهرا", "مریم", "سارا", "نرگس", "معصومه", "لیلا", "مهسا", "الهام", "زینب")
LAST = (
    "رضایی",
    "محمدی",
    "حسینی",
    "احمدی",
    "کریمی",
    "موسوی",
    "جعفری",
    "صادقی",
    "رحیمی",
    "کاظمی",
    "قاسمی",
    "ابراهیمی",
    "نوری",
    "طاهری",
    "هاشمی",
    "اکبری",
    "یزدانی",
    "شریفی",
)
COMPANY_WORDS = ("نوآوران", "پارس", "آریا", "سپهر", "البرز", "کیان", "راهبرد", "دانش", "تجارت")
SUBJECTS = {
    "invoice": (
        "صورت‌حساب مالیات بر ارزش افزوده‌ی دوره‌ی {n}",
        "قبض عوارض نوسازی سال {y}",
        "صورت‌حساب حق بیمه‌ی ماه {m} سال {y}",
        "برگ قطعی مالیات عملکرد سال {y}",
    ),
    "notice": (
        "اطلاعیه‌ی تمدید مهلت ارائه‌ی اظهارنامه‌ی سال {y}",
        "اطلاعیه‌ی واریز یارانه‌ی مرحله‌ی {n}",
        "یادآوری سررسید اقساط تسهیلات شماره‌ی {k}",
        "اطلاعیه‌ی تغییر ساعت کار دفاتر در ماه {m}",
    ),
    "summons": (
        "ابلاغیه‌ی پرونده‌ی کلاسه‌ی {k}",
        "اخطاریه‌ی جلسه‌ی رسیدگی به پرونده‌ی {k}",
        "احضاریه‌ی شعبه‌ی {n} دادگاه عمومی",
    ),
    "result": (
        "نتیجه‌ی بررسی درخواست شماره‌ی {k}",
        "نتیجه‌ی آزمون سراسری سال {y}",
        "نتیجه‌ی رسیدگی به اعتراض شماره‌ی {k}",
    ),
    "general": (
        "پاسخ به درخواست شماره‌ی {k}",
        "دعوت به تکمیل اطلاعات پرونده‌ی {k}",
        "درخواست ارائه‌ی مدارک تکمیلی",
    ),
}
CATEGORY_WEIGHTS = {"invoice": 30, "notice": 30, "summons": 10, "result": 15, "general": 15}
PARAGRAPHS = (
    "<p>شهروند گرامی،</p>",
    "<p>با سلام و احترام، به استحضار می‌رساند که {s} در سامانه‌ی این دستگاه ثبت شده است "
    "و لازم است تا پایان مهلت مقرر نسبت به بررسی آن اقدام فرمایید.</p>",
    "<p>مبلغ قابل پرداخت <strong>{k} ریال</strong> است و از طریق درگاه‌های رسمی پرداخت "
    "الکترونیکی دولت قابل پرداخت خواهد بود. این نامه درخواست اطلاعات کارت بانکی نیست.</p>",
    "<p>در صورت اعتراض، می‌توانید ظرف ده روز از تاریخ ابلاغ با همراه داشتن کارت ملی به "
    "دفاتر پیشخوان دولت مراجعه یا اعتراض خود را از طریق همین کارپوشه ثبت کنید.</p>",
    "<ul><li>کد رهگیری این نامه را نزد خود نگه دارید.</li><li>مدارک شناسایی معتبر همراه "
    "داشته باشید.</li><li>ساعات پاسخ‌گویی: شنبه تا چهارشنبه، ۸ تا ۱۴.</li></ul>",
    "<p>این نامه به‌صورت الکترونیکی صادر شده و اعتبار آن با کد رهگیری و کد اصالت در "
    "نشانی /verify/ پیام ایران قابل بررسی است.</p>",
    "<p>با احترام،<br>{a}</p>",
)


# --- identifiers ----------------------------------------------------------------------------

NATURAL_MULT, NATURAL_OFFSET = 387_420_489, 123_456_789  # 3**18: coprime with 10**9
LEGAL_MULT, LEGAL_OFFSET = 43_046_721, 1_234_567  # 3**16: coprime with 10**8
FALLBACK = 500_000_000  # a second index for the rare generated code that is refused


def national_code(k: int, avoid: str = "") -> str:
    """The k-th distinct valid national code (k → first nine digits is one-to-one)."""
    from payam.identifiers import is_valid_national_code, national_code_check_digit

    body = f"{(k * NATURAL_MULT + NATURAL_OFFSET) % 10**9:09d}"
    code = body + str(national_code_check_digit(body))
    if code == avoid or not is_valid_national_code(code):
        return national_code(k + FALLBACK, avoid)
    return code


def legal_id(k: int) -> str:
    """The k-th distinct valid national ID of a company (10…, serial never zero)."""
    from payam.identifiers import is_valid_legal_id, legal_id_check_digit

    body = "10" + f"{(k * LEGAL_MULT + LEGAL_OFFSET) % 10**8:08d}"
    code = body + str(legal_id_check_digit(body))
    if not is_valid_legal_id(code):
        return legal_id(k + FALLBACK // 10)
    return code


def tracking_codes(count: int, rng: random.Random) -> list[str]:
    from payam.tracking import ALPHABET, check_character

    codes: set[str] = set()
    while len(codes) < count:
        body = "".join(rng.choices(ALPHABET, k=9))
        codes.add(body + check_character(body))
    out = sorted(codes)
    rng.shuffle(out)
    return out


# --- the plan -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scale:
    mailboxes: int = 2_000_000  # person mailboxes, the target's among them
    deliveries: int = 10_000_000
    letters: int = 0  # 0: deliveries // 50, at least twice the target's
    agencies: int = 50
    legal_share: float = 0.05
    registered_share: float = 0.25
    target_letters: int = 500
    seed: int = 1404

    @property
    def letter_count(self) -> int:
        return self.letters or max(self.deliveries // 50, 2 * self.target_letters)


@dataclass(slots=True)
class PlannedLetter:
    at: float  # sent_at, seconds since 1970
    kind: str  # campaign | group | single | person
    count: int  # recipients in the person pool (or 1 agency for kind person)
    sender: int  # mailbox id
    start: int = 0
    stride: int = 1
    to_target: bool = False


def apportion(total: int, weights: Sequence[float], lo: int, hi: int) -> list[int]:
    """Integers in [lo, hi], one per weight and roughly proportional to it, summing to total."""
    n = len(weights)
    if not n * lo <= total <= n * hi:
        raise SystemExit(
            f"cannot split {total:,} deliveries into {n:,} letters of {lo:,}-{hi:,}:"
            " change --letters, --mailboxes or --deliveries"
        )
    counts = [lo] * n
    remaining = total - n * lo
    active = [i for i in range(n) if counts[i] < hi]
    while remaining > 0 and active:
        wsum = sum(weights[i] for i in active)
        given = 0
        for i in active:
            add = min(int(remaining * weights[i] / wsum), hi - counts[i])
            counts[i] += add
            given += add
        if given == 0:  # what is left rounds to nothing: one more each, biggest first
            for i in sorted(active, key=lambda i: -weights[i])[:remaining]:
                counts[i] += 1
                given += 1
        remaining -= given
        active = [i for i in active if counts[i] < hi]
    return counts


@dataclass
class Population:
    """Who exists: agency ids 1..A, then the pool of person mailboxes, then the target."""

    agencies: int
    pool: int  # person mailboxes besides the target
    first_person: int
    target_mailbox: int
    legal: bytearray  # 1 = legal person, by pool index
    owner: "array[int]"  # user id by pool index, 0 = placeholder
    active: bytearray  # 1 = the owner's inbox is active (they read their letters)
    accepting: list[int] = field(default_factory=list)  # agency ids that take letters

    def mailbox_id(self, k: int) -> int:
        return self.first_person + k


def plan_population(scale: Scale, rng: random.Random, first_user_id: int) -> Population:
    pool = scale.mailboxes - 1
    if pool < 1 or scale.agencies < 1:
        raise SystemExit("need at least 2 person mailboxes and 1 agency")
    legal = bytearray(pool)
    owner = array("q", bytes(8 * pool))
    active = bytearray(pool)
    next_user = first_user_id
    for k in range(pool):
        if rng.random() < scale.legal_share:
            legal[k] = 1
        if rng.random() < scale.registered_share:
            owner[k] = next_user
            next_user += 1
            active[k] = 1 if rng.random() < 0.85 else 0
    first_person = scale.agencies + 1
    return Population(
        agencies=scale.agencies,
        pool=pool,
        first_person=first_person,
        target_mailbox=first_person + pool,
        legal=legal,
        owner=owner,
        active=active,
        accepting=[i for i in range(1, scale.agencies + 1) if i % 7 != 3],
    )


def plan_letters(
    scale: Scale, pop: Population, rng: random.Random, now: float
) -> list[PlannedLetter]:
    """Letters in time order (their ids), with how many recipients each has."""
    total = scale.letter_count
    if scale.target_letters > total:
        raise SystemExit("--letters must be at least the target's letters")
    campaigns = max(1, round(total * 0.0005))
    registered = [k for k in range(pop.pool) if pop.owner[k]]
    person = round(total * 0.03) if registered else 0
    single = round(total * 0.55)
    group = total - campaigns - person - single
    budget = scale.deliveries - scale.target_letters  # the target's are extra rows
    campaign_total = min(int(budget * 0.6), campaigns * pop.pool)
    group_total = budget - campaign_total - person - single
    if group < 1 or group_total < 2 * group:
        raise SystemExit("too few deliveries for this many letters: lower --letters")
    campaign_counts = apportion(
        campaign_total,
        [rng.paretovariate(1.2) for _ in range(campaigns)],
        min(INLINE_LIMIT + 1, pop.pool, campaign_total // campaigns),
        pop.pool,
    )
    group_counts = apportion(
        group_total,
        [rng.lognormvariate(0, 1.2) for _ in range(group)],
        2,
        min(INLINE_LIMIT, pop.pool),
    )
    senders = list(range(1, pop.agencies + 1))
    sender_weights = [1 / (i**0.8) for i in senders]  # a few large senders, many small
    letters: list[PlannedLetter] = []
    for kind, counts in (
        ("campaign", campaign_counts),
        ("group", group_counts),
        ("single", [1] * single),
    ):
        for count in counts:
            letters.append(
                PlannedLetter(
                    at=now - rng.random() * 3 * YEAR,
                    kind=kind,
                    count=count,
                    sender=rng.choices(senders, sender_weights)[0],
                    start=rng.randrange(pop.pool),
                    stride=_stride(pop.pool, rng),
                )
            )
    for _ in range(person):
        k = rng.choice(registered)
        letters.append(
            PlannedLetter(
                at=now - rng.random() * 3 * YEAR,
                kind="person",
                count=1,
                sender=pop.mailbox_id(k),
                start=rng.choice(pop.accepting),
            )
        )
    letters.sort(key=lambda letter: letter.at)
    # The target's letters: 500 different ones from agencies, a fifth of them campaigns.
    from_agencies = [i for i, letter in enumerate(letters) if letter.kind != "person"]
    campaign_ids = [i for i in from_agencies if letters[i].kind == "campaign"]
    chosen = set(rng.sample(campaign_ids, min(len(campaign_ids), scale.target_letters // 5)))
    others = [i for i in from_agencies if i not in chosen]
    chosen.update(rng.sample(others, scale.target_letters - len(chosen)))
    for i in chosen:
        letters[i].to_target = True
    return letters


def _stride(pool: int, rng: random.Random) -> int:
    """A step coprime with the pool: start + j·stride (mod pool) never repeats."""
    if pool == 1:
        return 1
    while True:
        stride = rng.randrange(1, pool)
        if gcd(stride, pool) == 1:
            return stride


# --- COPY -----------------------------------------------------------------------------------


def ts(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat(sep=" ")


def text(value: str) -> str:
    """A value in COPY's text format."""
    return (
        value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    )


@dataclass
class Loaded:
    table: str
    rows: int
    seconds: float

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def copy_rows(raw: Any, table: str, columns: Sequence[str], lines: Iterator[str]) -> Loaded:
    """COPY the tab-separated `lines` into `table`, timing generation and load together."""
    started = time.perf_counter()
    rows = 0
    with raw.cursor() as cursor:
        statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with cursor.copy(statement) as copy:
            batch: list[str] = []
            for line in lines:
                batch.append(line)
                if len(batch) >= COPY_BATCH:
                    copy.write("".join(batch))
                    rows += len(batch)
                    batch.clear()
            if batch:
                copy.write("".join(batch))
                rows += len(batch)
    loaded = Loaded(table, rows, time.perf_counter() - started)
    print(
        f"  COPY {table:26s} {rows:>12,d} rows {loaded.seconds:8.1f} s"
        f" {loaded.rows_per_s:>12,.0f} rows/s",
        flush=True,
    )
    return loaded


def person_names(k: int) -> tuple[str, str, str]:
    """(first, last, gender) of the k-th person, the same every run."""
    female = k % 2 == 1
    first = (FEMALE if female else MALE)[(k // 2) % (len(FEMALE) if female else len(MALE))]
    last = LAST[(k // 23) % len(LAST)]
    return first, last, "female" if female else "male"


def company_name(k: int) -> str:
    a = COMPANY_WORDS[k % len(COMPANY_WORDS)]
    b = COMPANY_WORDS[(k // 9 + 3) % len(COMPANY_WORDS)]
    return f"شرکت {a} {b} شماره‌ی {k % 997 + 1}"


def user_lines(pop: Population, now: float) -> Iterator[str]:
    joined = ts(now - 2 * YEAR)
    for k in range(pop.pool):
        uid = pop.owner[k]
        if not uid:
            continue
        if pop.legal[k]:
            username, first, last, kind = legal_id(k), company_name(k), "", "legal"
        else:
            first, last, _gender = person_names(k)
            username, kind = national_code(k, avoid=target_code()), "natural"
        yield (
            f"{uid}\t!bench-scale-unusable-password\t\\N\tf\t{first}\t{last}\t\tf\tt\t{joined}"
            f"\t{username}\t{kind}\tf\n"
        )


USER_COLUMNS = (
    "id",
    "password",
    "last_login",
    "is_superuser",
    "first_name",
    "last_name",
    "email",
    "is_staff",
    "is_active",
    "date_joined",
    "username",
    "kind",
    "must_change_password",
)
PROFILE_COLUMNS = (
    "user_id",
    "mobile",
    "email",
    "inbox_status",
    "status_reason",
    "status_changed_at",
    "created_at",
    "email_verified_at",
    "notify_by_email",
    "notify_by_sms",
    "province",
)


def _profile(uid: int, k: int, pop: Population, joined: str) -> str:
    status = "active" if pop.active[k] else ("suspended" if k % 13 == 0 else "registered")
    changed = joined if status != "registered" else "\\N"
    mobile = f"+989{(uid * 7_919 + 12_345) % 10**9:09d}"
    # Where they live (crisis notices go to provinces); one in 17 never said.
    province = "" if k % 17 == 0 else PROVINCE_VALUES[k % len(PROVINCE_VALUES)]
    return f"{uid}\t{mobile}\t\t{status}\t\t{changed}\t{joined}\t\\N\tf\tt\t{province}"


def natural_person_lines(pop: Population, now: float) -> Iterator[str]:
    joined = ts(now - 2 * YEAR)
    avoid = target_code()
    for k in range(pop.pool):
        uid = pop.owner[k]
        if not uid or pop.legal[k]:
            continue
        first, last, gender = person_names(k)
        born = date(1945, 1, 1) + timedelta(days=(k * 7_907) % (60 * 365))
        father = MALE[(k // 5) % len(MALE)]
        yield (
            f"{_profile(uid, k, pop, joined)}\t{national_code(k, avoid)}\t{first}\t{last}"
            f"\t{father}\t{born.isoformat()}\t{gender}\n"
        )


def legal_person_lines(pop: Population, now: float) -> Iterator[str]:
    joined = ts(now - 2 * YEAR)
    avoid = target_code()
    for k in range(pop.pool):
        uid = pop.owner[k]
        if not uid or not pop.legal[k]:
            continue
        first, last, _gender = person_names(k + 1)
        yield (
            f"{_profile(uid, k, pop, joined)}\t{legal_id(k)}\t{company_name(k)} (سهامی خاص)"
            f"\t{100_000 + k % 900_000}\t{national_code(k + FALLBACK // 2, avoid)}"
            f"\t{first} {last}\t\n"
        )


def agency_name(i: int) -> str:
    """The i-th agency (1-based): the national ones, then provincial tax offices."""
    if i <= len(AGENCIES):
        return AGENCIES[i - 1]
    j = i - len(AGENCIES) - 1
    if j < len(PROVINCES):
        return f"اداره‌ی کل امور مالیاتی استان {PROVINCES[j]}"
    return f"دستگاه اجرایی شماره‌ی {i}"


def mailbox_lines(pop: Population, target_user: int, target_name: str, now: float) -> Iterator[str]:
    created = ts(now - 3 * YEAR - 86_400)
    accepting = set(pop.accepting)
    for i in range(1, pop.agencies + 1):
        takes = "t" if i in accepting else "f"
        yield f"{i}\tagency\t\t{text(agency_name(i))}\t{takes}\t{created}\t\\N\n"
    avoid = target_code()
    for k in range(pop.pool):
        uid = pop.owner[k]
        if pop.legal[k]:
            kind, ident = "legal", legal_id(k)
            name = company_name(k) if uid else ""
        else:
            kind, ident = "natural", national_code(k, avoid)
            name = " ".join(person_names(k)[:2]) if uid else ""
        owner = str(uid) if uid else "\\N"
        yield f"{pop.mailbox_id(k)}\t{kind}\t{ident}\t{name}\tf\t{created}\t{owner}\n"
    yield (
        f"{pop.target_mailbox}\tnatural\t{avoid}\t{target_name}\tf\t{ts(now - 2 * YEAR)}"
        f"\t{target_user}\n"
    )


MAILBOX_COLUMNS = (
    "id",
    "kind",
    "identifier",
    "display_name",
    "accepts_letters",
    "created_at",
    "owner_id",
)
LETTER_COLUMNS = (
    "id",
    "tracking_code",
    "sender_name",
    "subject",
    "body",
    "category",
    "is_legal_notice",
    "reply_allowed",
    "created_at",
    "sent_at",
    "content_sha256",
    "verification_code",
    "attachment_count",
    "recipient_count",
    "fanout_state",
    "fanout_done",
    "fanout_touched_at",
    "in_reply_to_id",
    "sent_by_id",
    "sender_id",
    "is_urgent",
)
DELIVERY_COLUMNS = (
    "id",
    "status",
    "delivered_at",
    "first_read_at",
    "first_read_by",
    "notification_status",
    "notified_at",
    "archived",
    "starred",
    "first_reader_id",
    "letter_id",
    "recipient_id",
    "urgent",
)


def letter_lines(
    letters: Sequence[PlannedLetter],
    codes: Sequence[str],
    pop: Population,
    rng: random.Random,
    names: dict[int, str],
) -> Iterator[str]:
    from mailbox.content import letter_content_hash, verification_code
    from mailbox.models import Letter

    categories = list(CATEGORY_WEIGHTS)
    weights = list(CATEGORY_WEIGHTS.values())
    for n, letter in enumerate(letters):
        pk = n + 1
        code = codes[n]
        if letter.kind == "person":
            category = "general"
            subject = f"درخواست رسیدگی به پرونده‌ی {rng.randrange(10**5, 10**6)}"
            body = "<p>با سلام و احترام،</p><p>خواهشمند است به درخواست اینجانب رسیدگی فرمایید.</p>"
            sent_by = str(pop.owner[letter.sender - pop.first_person])
        else:
            category = rng.choices(categories, weights)[0]
            subject = rng.choice(SUBJECTS[category]).format(
                n=rng.randrange(1, 13),
                y=rng.randrange(1398, 1404),
                m=rng.randrange(1, 13),
                k=rng.randrange(10**6, 10**7),
            )
            paragraphs = [PARAGRAPHS[0], *rng.sample(PARAGRAPHS[1:-1], 3), PARAGRAPHS[-1]]
            body = "".join(paragraphs).format(
                s=subject, k=f"{rng.randrange(10, 5000) * 10_000:,}", a=names[letter.sender]
            )
            sent_by = "\\N"
        sender_name = names[letter.sender]
        legal = category == "summons" and rng.random() < 0.7
        reply = category in ("general", "summons") and rng.random() < 0.5
        digest = letter_content_hash(
            Letter(
                tracking_code=code,
                sender_id=letter.sender,
                sender_name=sender_name,
                subject=subject,
                body=body,
                category=category,
                is_legal_notice=legal,
                reply_allowed=reply,
            ),
            [],
        )
        recipients = letter.count + (1 if letter.to_target else 0)
        sent = ts(letter.at)
        done = ts(letter.at + (recipients // FANOUT_CHUNK) * 0.8)
        yield (
            f"{pk}\t{code}\t{text(sender_name)}\t{text(subject)}\t{text(body)}\t{category}"
            f"\t{'t' if legal else 'f'}\t{'t' if reply else 'f'}\t{sent}\t{sent}\t{digest}"
            f"\t{verification_code(tracking_code=code, content_hash=digest)}\t0\t{recipients}"
            f"\tdone\t{recipients}\t{done}\t\\N\t{sent_by}\t{letter.sender}\tf\n"
        )


def tracking_lines(letters: Sequence[PlannedLetter], codes: Sequence[str]) -> Iterator[str]:
    for n, letter in enumerate(letters):
        yield f"letter\t{codes[n]}\t{ts(letter.at)}\n"


def delivery_lines(
    letters: Sequence[PlannedLetter],
    pop: Population,
    target_user: int,
    rng: random.Random,
    now: float,
) -> Iterator[str]:
    """One row per (letter, recipient), in letter (time) order, as the fan-out wrote them."""
    pk = 0
    random_ = rng.random
    expovariate = rng.expovariate
    pool, first = pop.pool, pop.first_person
    owners, active = pop.owner, pop.active
    progress = 1_000_000
    for n, letter in enumerate(letters):
        letter_id = n + 1
        if letter.kind == "person":
            pk += 1
            at = ts(letter.at)
            yield (
                f"{pk}\tdelivered\t{at}\t\\N\t\tskipped\t\\N\tf\tf\t\\N"
                f"\t{letter_id}\t{letter.start}\tf\n"
            )
            continue
        chunk_at = ts(letter.at)
        for j in range(letter.count):
            if j and j % FANOUT_CHUNK == 0:
                chunk_at = ts(letter.at + (j // FANOUT_CHUNK) * 0.8)
            k = (letter.start + j * letter.stride) % pool
            pk += 1
            uid = owners[k]
            if not uid:
                yield (
                    f"{pk}\tdelivered\t{chunk_at}\t\\N\t\tskipped\t\\N\tf\tf\t\\N"
                    f"\t{letter_id}\t{first + k}\tf\n"
                )
            elif active[k] and random_() < 0.7:
                read = ts(min(now, letter.at + expovariate(1 / (2 * 86_400))))
                archived = "t" if random_() < 0.1 else "f"
                starred = "t" if random_() < 0.03 else "f"
                yield (
                    f"{pk}\tdelivered\t{chunk_at}\t{read}\towner\tsent\t{chunk_at}\t{archived}"
                    f"\t{starred}\t{uid}\t{letter_id}\t{first + k}\tf\n"
                )
            else:
                yield (
                    f"{pk}\tdelivered\t{chunk_at}\t\\N\t\tsent\t{chunk_at}\tf\tf\t\\N"
                    f"\t{letter_id}\t{first + k}\tf\n"
                )
            if pk >= progress:
                print(f"    … {pk:,} deliveries", flush=True)
                progress += 2_000_000
        if letter.to_target:
            pk += 1
            at = ts(letter.at)
            if letter.at < now - 14 * 86_400 or random_() < 0.3:  # all but recent ones read
                read = ts(min(now, letter.at + expovariate(1 / 86_400)))
                archived = "t" if random_() < 0.1 else "f"
                starred = "t" if random_() < 0.05 else "f"
                yield (
                    f"{pk}\tdelivered\t{at}\t{read}\towner\tsent\t{at}\t{archived}\t{starred}"
                    f"\t{target_user}\t{letter_id}\t{pop.target_mailbox}\tf\n"
                )
            else:
                yield (
                    f"{pk}\tdelivered\t{at}\t\\N\t\tsent\t{at}\tf\tf\t\\N"
                    f"\t{letter_id}\t{pop.target_mailbox}\tf\n"
                )


# --- keys and indexes -----------------------------------------------------------------------


@dataclass(frozen=True)
class Schema:
    """What the migrations made on the loaded tables, as the catalog says it."""

    keys: list[tuple[str, str, str]]  # (table, name, definition): primary keys, UNIQUE
    indexes: list[tuple[str, str, str]]  # (table, name, CREATE INDEX …) backing no constraint
    foreign_keys: list[tuple[str, str, str]]  # on these tables, or pointing into them
    fingerprint: list[tuple[str, ...]]  # every index and constraint, to compare after

    @property
    def statements(self) -> int:
        return len(self.keys) + len(self.indexes) + len(self.foreign_keys)


def read_schema(cursor: Any, tables: Sequence[str]) -> Schema:
    names = list(tables)
    cursor.execute(
        """
        SELECT c.conrelid::regclass::text, c.conname, c.contype, pg_get_constraintdef(c.oid)
        FROM pg_constraint c
        WHERE c.contype IN ('p', 'u', 'f')
          AND (c.conrelid = ANY(%s::regclass[])
               OR (c.contype = 'f' AND c.confrelid = ANY(%s::regclass[])))
        ORDER BY 1, 2
        """,
        [names, names],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        """
        SELECT t.relname, i.relname, pg_get_indexdef(x.indexrelid)
        FROM pg_index x
        JOIN pg_class i ON i.oid = x.indexrelid
        JOIN pg_class t ON t.oid = x.indrelid
        WHERE x.indrelid = ANY(%s::regclass[])
          AND NOT EXISTS (
              SELECT 1 FROM pg_constraint c
              WHERE c.conindid = x.indexrelid AND c.conrelid = x.indrelid
                AND c.contype IN ('p', 'u', 'x'))
        ORDER BY 1, 2
        """,
        [names],
    )
    indexes = [tuple(row) for row in cursor.fetchall()]
    cursor.execute(
        """
        SELECT 'index', t.relname, i.relname, pg_get_indexdef(x.indexrelid), x.indisvalid::text
        FROM pg_index x
        JOIN pg_class i ON i.oid = x.indexrelid
        JOIN pg_class t ON t.oid = x.indrelid
        WHERE x.indrelid = ANY(%s::regclass[])
        UNION ALL
        SELECT 'constraint', c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid),
               c.convalidated::text || c.condeferrable::text || c.condeferred::text
        FROM pg_constraint c
        WHERE c.conrelid = ANY(%s::regclass[]) OR c.confrelid = ANY(%s::regclass[])
        ORDER BY 1, 2, 3
        """,
        [names, names, names],
    )
    fingerprint = [tuple(row) for row in cursor.fetchall()]
    return Schema(
        keys=[(t, n, d) for t, n, kind, d in constraints if kind in ("p", "u")],
        indexes=indexes,
        foreign_keys=[(t, n, d) for t, n, kind, d in constraints if kind == "f"],
        fingerprint=fingerprint,
    )


def drop_schema(cursor: Any, schema: Schema) -> None:
    for table, name, _definition in schema.foreign_keys:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for table, name, _definition in schema.keys:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for _table, name, _definition in schema.indexes:
        cursor.execute(f'DROP INDEX "{name}"')


def rebuild_schema(cursor: Any, schema: Schema) -> list[dict[str, Any]]:
    """Keys, then indexes, then foreign keys (which need the keys they point to)."""
    steps: list[tuple[str, str, str]] = []
    for table, name, definition in schema.keys:
        steps.append((name, table, f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'))
    for table, name, definition in schema.indexes:
        steps.append((name, table, definition))
    for table, name, definition in schema.foreign_keys:
        steps.append((name, table, f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'))
    timings = []
    for name, table, statement in steps:
        started = time.perf_counter()
        cursor.execute(statement)
        seconds = time.perf_counter() - started
        timings.append({"name": name, "table": table, "seconds": round(seconds, 2)})
        print(f"  {seconds:7.1f} s  {name} ({table})", flush=True)
    return timings


# --- the run --------------------------------------------------------------------------------


@contextmanager
def phase(timings: dict[str, float], name: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    timings[name] = round(time.perf_counter() - started, 2)


def make_target_user() -> Any:
    """The citizen of inbox_load.py: a real account, a natural-person profile, an
    active inbox — made through the ORM, like CitizenFactory in the tests."""
    from accounts.constants import InboxStatus
    from accounts.models import NaturalPerson, User, UserKind

    code = target_code()
    user = User.objects.create_user(
        username=code, kind=UserKind.NATURAL, first_name=TARGET_FIRST_NAME,
        last_name=TARGET_LAST_NAME,
    )  # fmt: skip
    user.set_unusable_password()
    user.save(update_fields=["password"])
    NaturalPerson.objects.create(
        user=user,
        national_code=code,
        first_name=TARGET_FIRST_NAME,
        last_name=TARGET_LAST_NAME,
        birth_date=date(1988, 6, 22),
        gender="female",
        mobile="+989121110000",
        inbox_status=InboxStatus.ACTIVE,
    )
    return user


def seed(scale: Scale, *, rebuild: bool = True, vacuum: bool = True) -> dict[str, Any]:
    """Load `scale` into the (migrated, empty) database Django is connected to. With
    `rebuild`, the big tables' keys and indexes are dropped first and made again
    after the COPY. `vacuum=False` runs only ANALYZE (inside a transaction)."""
    from django.db import connection

    rng = random.Random(scale.seed)
    now = time.time()
    timings: dict[str, float] = {}
    loads: list[Loaded] = []
    user = make_target_user()
    connection.ensure_connection()
    raw = connection.connection
    with raw.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM accounts_user")
        first_user_id = cursor.fetchone()[0] + 1
        with phase(timings, "plan_s"):
            pop = plan_population(scale, rng, first_user_id)
            letters = plan_letters(scale, pop, rng, now)
            codes = tracking_codes(len(letters), rng)
        names = {i: agency_name(i) for i in range(1, pop.agencies + 1)}
        for k in range(pop.pool):
            if pop.owner[k]:
                names[pop.mailbox_id(k)] = (
                    company_name(k) if pop.legal[k] else " ".join(person_names(k)[:2])
                )
        schema = read_schema(cursor, LOADED_TABLES)
        if rebuild:
            cursor.execute("SET maintenance_work_mem = '1GB'")
            drop_schema(cursor, schema)
    print("Loading (COPY)…", flush=True)
    target_name = f"{TARGET_FIRST_NAME} {TARGET_LAST_NAME}"
    with phase(timings, "copy_s"):
        loads.append(copy_rows(raw, "accounts_user", USER_COLUMNS, user_lines(pop, now)))
        loads.append(
            copy_rows(
                raw,
                "accounts_naturalperson",
                (*PROFILE_COLUMNS, "national_code", "first_name", "last_name", "father_name",
                 "birth_date", "gender"),
                natural_person_lines(pop, now),
            )
        )  # fmt: skip
        loads.append(
            copy_rows(
                raw,
                "accounts_legalperson",
                (*PROFILE_COLUMNS, "national_id", "name", "registration_number",
                 "ceo_national_code", "ceo_name", "phone"),
                legal_person_lines(pop, now),
            )
        )  # fmt: skip
        loads.append(
            copy_rows(
                raw, "mailbox_mailbox", MAILBOX_COLUMNS,
                mailbox_lines(pop, user.pk, target_name, now),
            )
        )  # fmt: skip
        loads.append(
            copy_rows(
                raw, "mailbox_letter", LETTER_COLUMNS, letter_lines(letters, codes, pop, rng, names)
            )
        )
        loads.append(
            copy_rows(
                raw, "payam_trackingcode", ("kind", "code", "created_at"),
                tracking_lines(letters, codes),
            )
        )  # fmt: skip
        loads.append(
            copy_rows(
                raw, "mailbox_delivery", DELIVERY_COLUMNS,
                delivery_lines(letters, pop, user.pk, rng, now),
            )
        )  # fmt: skip
    rebuilt: list[dict[str, Any]] = []
    with raw.cursor() as cursor:
        if rebuild:
            print(f"Rebuilding {schema.statements} keys, indexes and foreign keys…", flush=True)
            with phase(timings, "rebuild_s"):
                rebuilt = rebuild_schema(cursor, schema)
            after = read_schema(cursor, LOADED_TABLES)
            if after.fingerprint != schema.fingerprint:
                missing = set(schema.fingerprint) ^ set(after.fingerprint)
                raise SystemExit(f"the rebuilt schema differs from the migrations': {missing}")
            cursor.execute("RESET maintenance_work_mem")
        for table in (
            "accounts_user", "accounts_naturalperson", "accounts_legalperson", "mailbox_mailbox",
            "mailbox_letter", "mailbox_delivery", "payam_trackingcode",
        ):  # fmt: skip
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                f" COALESCE(MAX(id), 0) + 1, false) FROM {table}"
            )
        print("VACUUM (ANALYZE)…" if vacuum else "ANALYZE…", flush=True)
        with phase(timings, "analyze_s"):
            for table in (*LOADED_TABLES, "accounts_user", "accounts_naturalperson"):
                cursor.execute(f"VACUUM (ANALYZE) {table}" if vacuum else f"ANALYZE {table}")
        checks = _check(cursor, scale, pop.target_mailbox)
        sizes = _sizes(cursor)
    copied = sum(load.rows for load in loads)
    return {
        "scale": scale.__dict__ | {"letters": len(letters)},
        "mode": "keys and indexes rebuilt after COPY" if rebuild else "COPY with indexes present",
        "timings_s": timings,
        "copy": [
            {
                "table": load.table,
                "rows": load.rows,
                "seconds": round(load.seconds, 2),
                "rows_per_s": round(load.rows_per_s),
            }
            for load in loads
        ],  # fmt: skip
        "rows_copied": copied,
        "copy_rows_per_s": round(copied / timings["copy_s"]),
        "rebuilt": rebuilt,
        "checks": checks,
        "sizes_mb": sizes,
        "target": {"username": target_code(), "user_id": user.pk, "mailbox_id": pop.target_mailbox},
    }


def _check(cursor: Any, scale: Scale, target_mailbox: int) -> dict[str, Any]:
    """What the benchmarks rely on, counted in the database."""
    cursor.execute("SELECT COUNT(*) FROM mailbox_delivery")
    deliveries = cursor.fetchone()[0]
    cursor.execute("SELECT kind, COUNT(*) FROM mailbox_mailbox GROUP BY kind ORDER BY kind")
    mailboxes = dict(cursor.fetchall())
    cursor.execute(
        "SELECT COUNT(*), COUNT(DISTINCT letter_id), COUNT(*) FILTER (WHERE first_read_at IS NULL)"
        " FROM mailbox_delivery WHERE recipient_id = %s",
        [target_mailbox],
    )
    target, target_letters, target_unread = cursor.fetchone()
    cursor.execute(
        """
        SELECT percentile_disc(ARRAY[0.5, 0.9, 0.99]) WITHIN GROUP (ORDER BY n), MAX(n)
        FROM (SELECT COUNT(*) AS n FROM mailbox_delivery
              WHERE recipient_id > %s GROUP BY recipient_id) per_mailbox
        """,
        [scale.agencies],
    )
    (p50, p90, p99), most = cursor.fetchone()
    problems = []
    if deliveries != scale.deliveries:
        problems.append(f"{deliveries:,} deliveries, not {scale.deliveries:,}")
    if mailboxes.get("natural", 0) + mailboxes.get("legal", 0) != scale.mailboxes:
        problems.append(f"person mailboxes: {mailboxes}")
    if target != scale.target_letters or target_letters != scale.target_letters:
        problems.append(f"the target has {target} deliveries of {target_letters} letters")
    if problems:
        raise SystemExit("seeded data is not what was asked: " + "; ".join(problems))
    return {
        "deliveries": deliveries,
        "mailboxes": mailboxes,
        "target_letters": target,
        "target_unread": target_unread,
        "letters_per_person_mailbox": {"p50": p50, "p90": p90, "p99": p99, "max": most},
    }


def _sizes(cursor: Any) -> dict[str, float]:
    cursor.execute(
        """
        SELECT c.relname, pg_total_relation_size(c.oid) / 1048576.0
        FROM pg_class c WHERE c.relname = ANY(%s)
        UNION ALL
        SELECT i.relname, pg_relation_size(i.oid) / 1048576.0
        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
        WHERE x.indrelid = 'mailbox_delivery'::regclass
        ORDER BY 1
        """,
        [list(LOADED_TABLES)],
    )
    return {name: round(float(size), 1) for name, size in cursor.fetchall()}


def recreate_database(database_url: str) -> None:
    import psycopg

    name = database_name(database_url)
    with psycopg.connect(admin_url(database_url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mailboxes", type=int, default=Scale.mailboxes)
    parser.add_argument("--deliveries", type=int, default=Scale.deliveries)
    parser.add_argument("--letters", type=int, default=0, help="default: deliveries / 50")
    parser.add_argument("--agencies", type=int, default=Scale.agencies)
    parser.add_argument("--target-letters", type=int, default=Scale.target_letters)
    parser.add_argument("--seed", type=int, default=Scale.seed)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    parser.add_argument(
        "--load-with-indexes",
        action="store_true",
        help="COPY into the tables with every key and index in place (slower; for comparison)",
    )
    args = parser.parse_args()
    scale = Scale(
        mailboxes=args.mailboxes,
        deliveries=args.deliveries,
        letters=args.letters,
        agencies=args.agencies,
        target_letters=args.target_letters,
        seed=args.seed,
    )
    started = time.perf_counter()
    timings: dict[str, float] = {}
    print(f"Recreating {database_name(args.database_url)} and migrating…", flush=True)
    with phase(timings, "create_and_migrate_s"):
        recreate_database(args.database_url)
        setup_django(args.database_url, args.redis_url)
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
    result = seed(scale, rebuild=not args.load_with_indexes)
    result["timings_s"] = timings | result["timings_s"]
    total = time.perf_counter() - started
    result["timings_s"]["total_s"] = round(total, 1)
    result["database_url"] = args.database_url
    out = write_result("seed_scale", result)
    t, checks = result["timings_s"], result["checks"]
    print(
        f"Seeded {scale.mailboxes:,} person mailboxes, {scale.agencies} agencies,"
        f" {result['scale']['letters']:,} letters, {checks['deliveries']:,} deliveries"
        f" ({result['mode']})"
    )
    print(f"  create + migrate              {t['create_and_migrate_s']:8.1f} s")
    print(
        f"  generate + COPY               {t['copy_s']:8.1f} s"
        f"  {result['rows_copied']:,} rows, {result['copy_rows_per_s']:,} rows/s"
    )
    if "rebuild_s" in t:
        print(f"  keys, indexes, foreign keys   {t['rebuild_s']:8.1f} s")
    print(f"  VACUUM (ANALYZE)              {t['analyze_s']:8.1f} s")
    print(f"  total                         {total:8.1f} s")
    dist = checks["letters_per_person_mailbox"]
    print(
        f"  letters per person mailbox: median {dist['p50']}, p90 {dist['p90']},"
        f" p99 {dist['p99']}, max {dist['max']}; target {checks['target_letters']}"
        f" ({checks['target_unread']} unread)"
    )
    print(f"wrote {out.relative_to(out.parents[2])}")


if __name__ == "__main__":
    main()
