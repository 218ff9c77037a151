"""The four studied networks, their firms, people, customers and requests, as data.

Firms are written as short entries (name, trade, city) and expanded here into full specs:
each firm's details, its supervisor's account and its capability profile are drawn from a
random.Random seeded with the firm's name, so every run yields exactly the same data.
Usernames follow DESIGN.md §8: `<slug>-office`, `<slug>-member-<n>`, `customer-<n>`.
"""

# Japanese text is written with full-width brackets, as Japanese readers expect.
# ruff: noqa: RUF001

import dataclasses
import datetime
import functools
import random
import re
from dataclasses import dataclass

from demo.taxonomy import TAXONOMY

JST = datetime.timezone(datetime.timedelta(hours=9), "JST")

# --- Specs: what the loader writes -------------------------------------------------------


@dataclass(frozen=True)
class CapabilitySpec:
    """A capability in a firm's profile."""

    code: str
    grade: int
    quality_rank: int | None = None
    max_part_size_mm: int | None = None
    tolerance_um: int | None = None
    monthly_capacity: int | None = None
    equipment: str = ""
    notes: str = ""
    since: datetime.date | None = None


@dataclass(frozen=True)
class PersonSpec:
    """A demo account: a firm's supervisor, a customer or platform staff."""

    username: str
    last_name: str
    first_name: str
    email: str
    language: str = "ja"
    sms_number: str = ""
    notify_by_sms: bool = False
    customer_type: str = ""
    organization: str = ""
    is_staff: bool = False
    is_superuser: bool = False


@dataclass(frozen=True)
class FirmSpec:
    """A firm, its membership in its network and the person who signs in for it."""

    name_ja: str
    name_en: str
    prefecture: str
    city: str
    address: str
    employees: int
    founded_year: int
    profile_ja: str
    profile_en: str
    website: str
    email: str
    phone: str
    role: str
    joined_on: datetime.date
    person: PersonSpec
    capabilities: tuple[CapabilitySpec, ...]
    group_coordinator: str | None = None  # name_en of the coordinator firm of its group
    nda_signed_at: datetime.datetime | None = None


@dataclass(frozen=True)
class GroupSpec:
    """A coordinator firm's competing group."""

    name_ja: str
    name_en: str
    coordinator: str  # name_en of the coordinator firm


@dataclass(frozen=True)
class NetworkSpec:
    """A network with its settings, closing days, groups and firms (office first)."""

    slug: str
    settings: dict
    closing_days: tuple[tuple[datetime.date, str], ...]
    firms: tuple[FirmSpec, ...]
    groups: tuple[GroupSpec, ...] = ()


@dataclass(frozen=True)
class RequirementSpec:
    """A capability a request needs."""

    code: str
    min_grade: int = 1
    note: str = ""


@dataclass(frozen=True)
class RequestSpec:
    """A customer's request; submitted ones are stamped relative to the load time."""

    network: str
    customer: str
    title: str
    description: str
    kind: str
    requirements: tuple[RequirementSpec, ...]
    status: str = "draft"
    quantity: int = 1
    material: str = ""
    desired_in_days: int | None = None
    budget_min: int | None = None
    budget_max: int | None = None
    confidential: bool = False
    channel: str = "web"
    urgency: str = "normal"
    submitted_minutes_ago: int | None = None
    entered_by: str | None = None


# --- Trades: what kind of shop a firm is --------------------------------------------------


@dataclass(frozen=True)
class Trade:
    """A kind of shop: the capabilities it always has, those it may have, how it describes
    itself."""

    core: tuple[tuple[str, int, int], ...]  # (code, lowest grade, highest grade)
    optional: tuple[tuple[str, int, int], ...]
    profile_ja: str
    profile_en: str
    employees: tuple[int, int] = (8, 60)
    incorporated: bool = True


ISO9001 = ("cert.iso9001", 3, 3)
ISO14001 = ("cert.iso14001", 3, 3)

TRADES: dict[str, Trade] = {
    "five_axis": Trade(
        core=(
            ("process.machining.milling", 4, 5),
            ("process.machining.five_axis", 3, 5),
            ("material.aluminium", 3, 5),
            ("material.stainless", 2, 4),
            ("equipment.machining_centre.five_axis", 4, 5),
        ),
        optional=(
            ("material.titanium", 2, 4),
            ("process.machining.turning", 2, 3),
            ("service.cad_cam", 3, 4),
            ("equipment.cmm", 3, 4),
            ("cert.jisq9100", 3, 3),
            ISO9001,
        ),
        profile_ja="5軸マシニングセンタによる複雑形状の試作が得意。一品物から小ロットまで対応。",
        profile_en="Complex shapes on 5-axis machining centres, from one-offs to small lots.",
        employees=(20, 90),
    ),
    "machining": Trade(
        core=(
            ("process.machining.milling", 3, 5),
            ("process.machining.turning", 2, 4),
            ("material.aluminium", 3, 5),
            ("material.carbon_steel", 3, 5),
            ("equipment.machining_centre", 3, 5),
        ),
        optional=(
            ("material.stainless", 2, 4),
            ("material.brass", 2, 4),
            ("process.machining.grinding", 2, 3),
            ("service.cad_cam", 2, 4),
            ("process.inspection", 3, 4),
            ISO9001,
        ),
        profile_ja="マシニングセンタと汎用機で、治具・装置部品の短納期試作に対応。",
        profile_en="Jigs and machine parts milled and turned at short notice.",
    ),
    "turning": Trade(
        core=(
            ("process.machining.turning", 3, 5),
            ("equipment.cnc_lathe", 3, 5),
            ("material.brass", 3, 5),
            ("material.stainless", 3, 4),
            ("material.carbon_steel", 3, 4),
        ),
        optional=(
            ("process.machining.milling", 2, 3),
            ("process.machining.micro", 3, 5),
            ("material.copper", 2, 4),
            ("material.titanium", 2, 3),
            ISO9001,
        ),
        profile_ja="CNC旋盤と複合加工機によるシャフト・丸物部品の精密加工。",
        profile_en="Precision shafts and round parts on CNC and mill-turn lathes.",
        employees=(5, 40),
    ),
    "grinding": Trade(
        core=(
            ("process.machining.grinding", 4, 5),
            ("material.tool_steel", 3, 5),
            ("material.carbon_steel", 3, 4),
            ("process.inspection", 3, 5),
        ),
        optional=(
            ("process.heat_treatment", 2, 3),
            ("process.edm.wire", 2, 4),
            ("equipment.cmm", 3, 4),
            ("process.machining.micro", 3, 4),
            ISO9001,
        ),
        profile_ja="平面・円筒研削でミクロン単位の精度を出す研削専業。",
        profile_en="Surface and cylindrical grinding to micron tolerances.",
        employees=(5, 30),
    ),
    "mold": Trade(
        core=(
            ("process.mold_making", 3, 5),
            ("process.edm.wire", 3, 5),
            ("process.edm.sinker", 3, 5),
            ("material.tool_steel", 3, 5),
            ("equipment.wire_edm", 3, 5),
        ),
        optional=(
            ("process.machining.grinding", 3, 4),
            ("process.machining.milling", 2, 4),
            ("service.cad_cam", 3, 4),
            ("finish.polishing.mirror", 2, 3),
        ),
        profile_ja="プレス金型・射出成形金型の設計製作と、放電加工による精密部品。",
        profile_en="Press and injection moulds, and precision parts by EDM.",
        employees=(6, 45),
    ),
    "sheet_metal": Trade(
        core=(
            ("process.sheet_metal.laser_cutting", 3, 5),
            ("process.sheet_metal.bending", 3, 5),
            ("material.carbon_steel", 3, 5),
            ("material.stainless", 3, 4),
            ("equipment.fiber_laser", 3, 5),
            ("equipment.press_brake", 3, 4),
        ),
        optional=(
            ("process.sheet_metal.punching", 3, 4),
            ("process.welding.tig", 2, 4),
            ("process.welding.spot", 2, 4),
            ("finish.painting", 2, 3),
            ("material.aluminium", 2, 4),
            ("process.assembly", 2, 3),
        ),
        profile_ja="レーザー切断から曲げ・溶接まで、筐体やカバーの板金を一貫生産。",
        profile_en="Enclosures and covers from laser cutting through bending and welding.",
        employees=(10, 80),
    ),
    "press": Trade(
        core=(
            ("process.press.stamping", 3, 5),
            ("process.press.deep_drawing", 2, 5),
            ("process.mold_making", 2, 4),
            ("material.carbon_steel", 3, 5),
            ("material.stainless", 2, 4),
        ),
        optional=(
            ("material.aluminium", 2, 4),
            ("material.copper", 2, 4),
            ("process.welding.spot", 2, 3),
            ISO9001,
            ISO14001,
        ),
        profile_ja="順送プレスと深絞りで、試作型から量産まで対応。",
        profile_en="Progressive stamping and deep drawing, from trial dies to mass production.",
        employees=(15, 120),
    ),
    "welding": Trade(
        core=(
            ("process.welding.tig", 3, 5),
            ("process.welding.laser", 2, 5),
            ("material.stainless", 3, 5),
            ("material.aluminium", 2, 4),
        ),
        optional=(
            ("process.welding.spot", 2, 4),
            ("process.sheet_metal.bending", 2, 3),
            ("material.titanium", 2, 4),
            ("finish.polishing.hairline", 2, 3),
            ("process.assembly", 2, 3),
        ),
        profile_ja="ステンレス・アルミの薄板TIG溶接と真空機器の製缶が得意。",
        profile_en="TIG welding of thin stainless and aluminium, and vacuum vessel fabrication.",
        employees=(5, 35),
    ),
    "resin": Trade(
        core=(
            ("process.resin.injection_molding", 3, 5),
            ("process.resin.machining", 3, 5),
            ("material.resin.abs", 3, 5),
            ("material.resin.pom", 3, 5),
            ("equipment.injection_molding_machine", 3, 5),
        ),
        optional=(
            ("material.resin.peek", 2, 4),
            ("material.resin.pc", 3, 4),
            ("process.additive.3d_printing", 2, 4),
            ("process.mold_making", 2, 3),
            ("process.assembly", 2, 3),
        ),
        profile_ja="射出成形と樹脂切削。スーパーエンプラの試作にも対応。",
        profile_en="Injection moulding and resin machining, including engineering plastics.",
        employees=(10, 70),
    ),
    "surface": Trade(
        core=(
            ("process.plating", 3, 5),
            ("finish.anodizing", 3, 5),
            ("process.heat_treatment", 2, 4),
            ("material.aluminium", 3, 5),
            ("material.carbon_steel", 3, 4),
        ),
        optional=(
            ("finish.blasting", 2, 4),
            ("finish.painting", 2, 4),
            ("finish.electropolishing", 2, 3),
            ("equipment.roughness_tester", 3, 4),
            ISO14001,
        ),
        profile_ja="めっき・アルマイト・熱処理を一社で。試作一個から受け付け。",
        profile_en="Plating, anodizing and heat treatment under one roof, from a single piece.",
        employees=(10, 60),
    ),
    "heat": Trade(
        core=(
            ("process.heat_treatment", 3, 5),
            ("material.tool_steel", 3, 5),
            ("material.carbon_steel", 3, 5),
        ),
        optional=(
            ("finish.blasting", 2, 3),
            ("process.inspection", 3, 4),
            ("material.stainless", 2, 3),
            ISO9001,
        ),
        profile_ja="焼入れ・焼戻し・窒化などの熱処理と硬さ検査。",
        profile_en="Hardening, tempering and nitriding, with hardness testing.",
        employees=(8, 40),
    ),
    "casting": Trade(
        core=(
            ("process.casting.sand", 3, 5),
            ("process.casting.die", 2, 4),
            ("material.aluminium", 3, 5),
            ("material.carbon_steel", 3, 4),
        ),
        optional=(
            ("process.machining.milling", 2, 3),
            ("process.heat_treatment", 2, 3),
            ("finish.blasting", 2, 4),
        ),
        profile_ja="アルミ・鋳鉄の砂型鋳造とダイカスト。木型から手配。",
        profile_en="Aluminium and iron sand castings and die castings, patterns included.",
        employees=(15, 90),
    ),
    "forging": Trade(
        core=(
            ("process.forging", 3, 5),
            ("material.carbon_steel", 3, 5),
            ("material.stainless", 2, 4),
        ),
        optional=(
            ("material.titanium", 2, 4),
            ("process.heat_treatment", 2, 4),
            ("process.machining.turning", 2, 3),
        ),
        profile_ja="熱間・冷間鍛造による高強度部品。小ロットの自由鍛造も。",
        profile_en="Hot and cold forged high-strength parts; small-lot open-die forging too.",
        employees=(10, 60),
    ),
    "additive": Trade(
        core=(
            ("process.additive.3d_printing", 3, 5),
            ("equipment.metal_3d_printer", 3, 4),
            ("material.resin.abs", 3, 4),
            ("material.titanium", 2, 4),
            ("service.cad_cam", 3, 5),
        ),
        optional=(
            ("process.resin.machining", 2, 3),
            ("material.aluminium", 2, 4),
            ("service.design.mechanical", 2, 3),
        ),
        profile_ja="樹脂・金属の3Dプリントで、形状確認から機能試作まで最短翌日。",
        profile_en="Resin and metal 3D printing, from form studies to functional prototypes.",
        employees=(5, 25),
    ),
    "electrical_assembly": Trade(
        core=(
            ("process.assembly", 3, 5),
            ("service.design.electrical", 3, 5),
            ("service.software", 2, 4),
        ),
        optional=(
            ("process.inspection", 3, 4),
            ("process.sheet_metal.bending", 2, 3),
            ISO9001,
            ("cert.iso13485", 3, 3),
        ),
        profile_ja="制御盤・電子機器の設計と組立、組込みソフトまで一貫対応。",
        profile_en="Control units and electronic devices designed, built and programmed.",
        employees=(10, 70),
    ),
    "mechanical_assembly": Trade(
        core=(
            ("process.assembly", 3, 5),
            ("service.design.mechanical", 3, 5),
            ("process.machining.milling", 2, 4),
        ),
        optional=(
            ("process.inspection", 3, 4),
            ("service.cad_cam", 2, 4),
            ("material.aluminium", 2, 4),
            ISO9001,
        ),
        profile_ja="省力化装置・治具の設計から部品手配、組立調整まで。",
        profile_en="Automation equipment and jigs, from design through parts to adjustment.",
        employees=(8, 50),
    ),
    "planning": Trade(
        core=(
            ("service.planning", 3, 5),
            ("service.consultation", 3, 5),
            ("service.commercialization", 3, 4),
        ),
        optional=(
            ("service.marketing_study", 2, 4),
            ("service.sales", 2, 3),
            ("service.design.industrial", 2, 3),
        ),
        profile_ja="アイデアの段階から商品企画と事業化の道筋づくりを支援。",
        profile_en="Product planning from the first idea to a route to market.",
        employees=(5, 20),
    ),
    "industrial_design": Trade(
        core=(
            ("service.design.industrial", 3, 5),
            ("service.cad_cam", 3, 5),
            ("service.planning", 2, 4),
        ),
        optional=(
            ("process.additive.3d_printing", 2, 4),
            ("service.marketing_study", 2, 3),
            ("service.design", 3, 4),
        ),
        profile_ja="製品デザインと3Dモデリング。量産を見据えた意匠提案。",
        profile_en="Product design and 3D modelling with production in mind.",
        employees=(5, 20),
    ),
    "mechanical_design": Trade(
        core=(
            ("service.design", 3, 5),
            ("service.design.mechanical", 3, 5),
            ("service.cad_cam", 3, 5),
        ),
        optional=(
            ("service.design.electrical", 2, 3),
            ("service.consultation", 3, 4),
            ("process.additive.3d_printing", 2, 3),
        ),
        profile_ja="機構設計・図面化と既存部品の再設計（コストダウン提案）。",
        profile_en="Mechanism design, drawings and cost-saving redesigns of existing parts.",
        employees=(5, 30),
    ),
    "marketing": Trade(
        core=(
            ("service.marketing_study", 3, 5),
            ("service.planning", 3, 4),
            ("service.sales", 2, 4),
        ),
        optional=(("service.commercialization", 2, 4), ("service.consultation", 3, 4)),
        profile_ja="ものづくり企業の市場調査と販路開拓を支援。",
        profile_en="Market research and new sales channels for manufacturers.",
        employees=(5, 15),
    ),
    "patent": Trade(
        core=(("service.patent", 4, 5), ("service.consultation", 3, 5)),
        optional=(("service.commercialization", 2, 3),),
        profile_ja="中小製造業の特許・意匠出願と知財戦略の相談。",
        profile_en="Patent and design filings and IP strategy for small manufacturers.",
        employees=(5, 12),
        incorporated=False,
    ),
    "sales": Trade(
        core=(
            ("service.sales", 3, 5),
            ("service.commercialization", 3, 4),
            ("service.marketing_study", 2, 4),
        ),
        optional=(("service.consultation", 2, 3), ("process.assembly", 2, 3)),
        profile_ja="工業製品の販売代理と量産品の流通・在庫管理。",
        profile_en="Sales agency for industrial products, with distribution and stock.",
        employees=(5, 40),
    ),
    "polishing": Trade(
        core=(
            ("finish.polishing.buffing", 3, 5),
            ("material.stainless", 3, 5),
        ),
        optional=(
            ("finish.polishing.mirror", 2, 5),
            ("finish.polishing.hairline", 2, 5),
            ("finish.polishing.barrel", 2, 4),
            ("finish.polishing.satin", 2, 4),
            ("material.magnesium", 2, 4),
            ("material.titanium", 2, 4),
            ("material.aluminium", 2, 5),
            ("material.brass", 2, 5),
            ("material.copper", 2, 4),
            ("equipment.roughness_tester", 3, 4),
            ("cert.polishing_technician", 3, 3),
        ),
        profile_ja="洋食器で培ったバフ研磨の技術で、家電・自動車・半導体装置部品まで磨く。",
        profile_en="Buffing skills honed on tableware, now applied to appliance, car and "
        "semiconductor-equipment parts.",
        employees=(5, 30),
    ),
    "coordinator": Trade(
        core=(
            ("service.consultation", 4, 5),
            ("process.machining.milling", 3, 5),
            ("process.machining.turning", 3, 4),
            ("process.assembly", 3, 4),
            ("process.inspection", 3, 5),
            ("equipment.cmm", 3, 4),
        ),
        optional=(
            ("process.machining.five_axis", 3, 4),
            ("service.design.mechanical", 3, 4),
            ISO9001,
            ("cert.jisq9100", 3, 3),
        ),
        profile_ja="大田区の町工場約150社をまとめ、難加工の試作をワンストップで受ける。",
        profile_en="Coordinates about 150 Ota workshops to take on hard prototypes in one stop.",
        employees=(20, 60),
    ),
}

# --- Names, places and phone numbers ------------------------------------------------------

LEGAL_FORMS = (
    ("株式会社 {}", "{} Co., Ltd."),
    ("{}株式会社", "{} Co., Ltd."),
    ("有限会社 {}", "{} Ltd."),
    ("株式会社 {}", "{} Inc."),
    ("株式会社 {}", "{} Co., Ltd."),
)

SURNAMES = (
    ("山田", "Yamada"),
    ("田中", "Tanaka"),
    ("中村", "Nakamura"),
    ("小林", "Kobayashi"),
    ("加藤", "Kato"),
    ("吉田", "Yoshida"),
    ("山本", "Yamamoto"),
    ("松本", "Matsumoto"),
    ("井上", "Inoue"),
    ("木村", "Kimura"),
    ("清水", "Shimizu"),
    ("山口", "Yamaguchi"),
    ("池田", "Ikeda"),
    ("橋本", "Hashimoto"),
    ("石川", "Ishikawa"),
    ("前田", "Maeda"),
    ("藤田", "Fujita"),
    ("岡田", "Okada"),
    ("後藤", "Goto"),
    ("長谷川", "Hasegawa"),
    ("村上", "Murakami"),
    ("近藤", "Kondo"),
    ("坂本", "Sakamoto"),
    ("遠藤", "Endo"),
    ("青木", "Aoki"),
    ("西村", "Nishimura"),
    ("福田", "Fukuda"),
    ("三浦", "Miura"),
    ("藤井", "Fujii"),
    ("岡本", "Okamoto"),
    ("中川", "Nakagawa"),
    ("原田", "Harada"),
    ("竹内", "Takeuchi"),
    ("金子", "Kaneko"),
    ("和田", "Wada"),
    ("五十嵐", "Igarashi"),
    ("本間", "Honma"),
    ("渡辺", "Watanabe"),
    ("佐藤", "Sato"),
    ("高橋", "Takahashi"),
    ("斎藤", "Saito"),
    ("丸山", "Maruyama"),
    ("阿部", "Abe"),
)

# Rare names, used only for the owners of the family firms that bear them.
RARE_SURNAMES = (("捧", "Sasage"), ("野本", "Nomoto"))

GIVEN_NAMES = (
    ("太郎", "Taro"),
    ("健一", "Kenichi"),
    ("誠", "Makoto"),
    ("浩", "Hiroshi"),
    ("隆", "Takashi"),
    ("大輔", "Daisuke"),
    ("直樹", "Naoki"),
    ("翔太", "Shota"),
    ("拓也", "Takuya"),
    ("達也", "Tatsuya"),
    ("和也", "Kazuya"),
    ("修", "Osamu"),
    ("美咲", "Misaki"),
    ("由美", "Yumi"),
    ("恵", "Megumi"),
    ("裕子", "Yuko"),
    ("真由美", "Mayumi"),
    ("彩", "Aya"),
    ("陽子", "Yoko"),
    ("智子", "Tomoko"),
    ("亮", "Ryo"),
    ("悠斗", "Yuto"),
    ("剛", "Tsuyoshi"),
    ("聡", "Satoshi"),
    ("健太", "Kenta"),
    ("正樹", "Masaki"),
    ("明美", "Akemi"),
    ("麻衣", "Mai"),
)


@dataclass(frozen=True)
class City:
    """A city or ward: its towns for addresses and its telephone area code."""

    prefecture: str
    name: str
    towns: tuple[str, ...]
    area_code: str  # without the leading 0

    def phone(self, rng: random.Random) -> str:
        # Japanese landline numbers have ten digits after the 0, area code included.
        digits = 9 - len(self.area_code)
        subscriber = str(rng.randint(2, 9)) + "".join(
            str(rng.randint(0, 9)) for _ in range(digits - 1)
        )
        return f"+81{self.area_code}{subscriber}"


FUSHIMI = City("26", "京都市伏見区", ("横大路", "下鳥羽", "竹田", "羽束師", "淀"), "75")
MINAMI_KYOTO = City("26", "京都市南区", ("上鳥羽", "吉祥院"), "75")
UJI = City("26", "宇治市", ("槇島町", "大久保町", "伊勢田町"), "774")
KUMIYAMA = City("26", "久世郡久御山町", ("佐山", "森", "田井", "市田"), "75")
YAWATA = City("26", "八幡市", ("上津屋", "岩田", "八幡"), "75")
JOYO = City("26", "城陽市", ("寺田", "富野"), "774")
HIGASHI_OSAKA = City(
    "27",
    "東大阪市",
    ("高井田", "長田", "荒本北", "菱屋西", "御厨", "水走", "川田", "稲田新町", "宝持", "加納"),
    "6",
)
OSAKA_CHUO = City("27", "大阪市中央区", ("本町", "瓦町", "南船場"), "6")
OSAKA_NISHI = City("27", "大阪市西区", ("北堀江", "靱本町"), "6")
TSUBAME = City(
    "15", "燕市", ("物流センター", "小池", "吉田", "大曲", "井土巻", "小関", "杣木", "分水"), "256"
)
SANJO = City("15", "三条市", ("須頃", "塚野目", "東新保", "上須頃", "西大崎"), "256")
OTA = City(
    "13",
    "大田区",
    ("蒲田", "東糀谷", "羽田", "大森南", "矢口", "下丸子", "萩中", "西六郷", "千鳥", "京浜島"),
    "3",
)

NODE_NAMES = {node.code: (node.name_ja, node.name_en) for node in TAXONOMY}


def _slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _mobile_number(rng: random.Random) -> str:
    # A Japanese mobile number: 090 or 080, then a digit 1-9 and seven more.
    prefix = rng.choice(("90", "80"))
    return f"+81{prefix}{rng.randint(1, 9)}{rng.randint(0, 9_999_999):07d}"


# --- Capability profiles ------------------------------------------------------------------

TOLERANCE_BY_GRADE = {2: 50, 3: 20, 4: 10, 5: 5}


def _limits(code: str, grade: int, rng: random.Random) -> dict:
    """Return plausible limits for a capability: part size, tolerance, monthly capacity."""
    if code.startswith(("process.machining", "process.edm", "process.mold_making")):
        tolerance = TOLERANCE_BY_GRADE[grade] // (2 if code.startswith("process.edm") else 1)
        return {
            "max_part_size_mm": rng.choice((200, 300, 500, 800, 1000)),
            "tolerance_um": max(tolerance, 1),
            "monthly_capacity": rng.choice((100, 200, 500, 1000)),
        }
    if code.startswith(("process.sheet_metal", "process.welding")):
        return {
            "max_part_size_mm": rng.choice((1000, 1500, 2000, 3000)),
            "tolerance_um": rng.choice((100, 200)),
            "monthly_capacity": rng.choice((300, 500, 1000, 3000)),
        }
    if code.startswith(("process.press", "process.casting", "process.forging")):
        return {
            "max_part_size_mm": rng.choice((300, 500, 800)),
            "monthly_capacity": rng.choice((5_000, 10_000, 50_000, 100_000)),
        }
    if code.startswith(("process.resin", "process.additive")):
        return {
            "max_part_size_mm": rng.choice((150, 250, 400)),
            "tolerance_um": rng.choice((20, 50, 100)),
            "monthly_capacity": rng.choice((500, 2_000, 10_000, 30_000)),
        }
    if code.startswith(("finish.", "process.plating", "process.heat_treatment")):
        return {
            "max_part_size_mm": rng.choice((300, 600, 1000, 1500)),
            "monthly_capacity": rng.choice((300, 1_000, 3_000, 10_000)),
        }
    if code == "process.assembly":
        return {"monthly_capacity": rng.choice((20, 50, 100, 300))}
    return {}


def _capability(
    code: str, grade: int, founded: int, rng: random.Random, *, quality_graded: bool
) -> CapabilitySpec:
    equipment = ""
    if code.startswith("equipment."):
        count = rng.randint(1, 4)
        name_ja, name_en = NODE_NAMES[code]
        equipment = f"{name_ja} {count}台 / {name_en} ×{count}"
    since = datetime.date(rng.randint(max(founded, 1995), 2024), rng.randint(1, 12), 1)
    return CapabilitySpec(
        code=code,
        grade=grade,
        quality_rank=grade if quality_graded and code.startswith("finish.polishing.") else None,
        equipment=equipment,
        since=since,
        **_limits(code, grade, rng),
    )


# --- Firm entries, expanded into specs ----------------------------------------------------


@dataclass(frozen=True)
class FirmEntry:
    """A firm as written in this module: its name without legal form, trade and city."""

    name_ja: str
    name_en: str
    trade: str
    city: City
    extra: tuple[tuple[str, int, int], ...] = ()  # capabilities beyond the trade's
    note_ja: str = ""
    note_en: str = ""
    # The supervisor's (family, given) name when it is someone from abroad who uses the
    # English interface.
    english_speaker: tuple[str, str] | None = None
    nda: bool = False  # signed the network's NDA


@dataclass
class _Roster:
    """Hand out a network's `<slug>-member-<n>` in the order firms are listed, and
    people's names that no one else in the network bears."""

    slug: str
    next_number: int = 1
    taken_names: set = dataclasses.field(default_factory=set)

    def next_username(self) -> str:
        username = f"{self.slug}-member-{self.next_number}"
        self.next_number += 1
        return username

    def name(
        self, rng: random.Random, family: tuple[str, str] | None = None
    ) -> tuple[tuple[str, str], tuple[str, str]]:
        """Return a (family, given) pair of (kanji, romaji) names not given out yet."""
        while True:
            chosen = (family or rng.choice(SURNAMES), rng.choice(GIVEN_NAMES))
            if chosen not in self.taken_names:
                self.taken_names.add(chosen)
                return chosen


def _person(
    username: str,
    entry: FirmEntry,
    domain: str,
    rng: random.Random,
    roster: _Roster,
    *,
    sms: bool,
) -> PersonSpec:
    """Return the firm's supervisor: a family firm's owner bears the firm's name."""
    if entry.english_speaker:
        last_name, first_name = entry.english_speaker
        local = _slugify(f"{first_name}.{last_name}").replace("-", ".")
    else:
        family_firm = next(
            (
                pair
                for pair in (*SURNAMES, *RARE_SURNAMES)
                if entry.name_en.startswith(pair[1] + " ")
            ),
            None,
        )
        family, given = roster.name(rng, family_firm)
        last_name, first_name = family[0], given[0]
        local = f"{given[1][0]}.{family[1]}".lower()
    return PersonSpec(
        username=username,
        last_name=last_name,
        first_name=first_name,
        email=f"{local}@{domain}",
        language="en" if entry.english_speaker else "ja",
        sms_number=_mobile_number(rng),
        notify_by_sms=sms,
    )


def _firm(
    entry: FirmEntry,
    *,
    roster: _Roster,
    role: str,
    joined_on: datetime.date,
    nda_signed_at: datetime.datetime | None = None,
    group_coordinator: str | None = None,
    sms: bool = False,
    grade_floor: int = 2,
    quality_graded: bool = False,
) -> FirmSpec:
    """Expand an entry into a full firm spec, drawing details from a seeded generator."""
    rng = random.Random(f"{roster.slug}:{entry.name_en}")
    trade = TRADES[entry.trade]
    if trade.incorporated:
        form_ja, form_en = LEGAL_FORMS[rng.randrange(len(LEGAL_FORMS))]
    else:
        form_ja, form_en = "{}", "{}"
    name_ja, name_en = form_ja.format(entry.name_ja), form_en.format(entry.name_en)
    domain = f"{_slugify(entry.name_en)}.example.jp"
    founded = rng.randint(1948, 2012)
    employees = rng.randint(*trade.employees)

    # The entry's own skills take precedence over the trade's defaults for the same code.
    extra_codes = {code for code, _, _ in entry.extra}
    core = [spec for spec in trade.core if spec[0] not in extra_codes]
    optional = [spec for spec in trade.optional if spec[0] not in extra_codes]
    room = max(0, rng.randint(5, 9) - len(core) - len(entry.extra))
    wanted = [*core, *rng.sample(optional, min(room, len(optional))), *entry.extra]
    capabilities = []
    for code, lowest, highest in wanted:
        grade = rng.randint(max(lowest, grade_floor), max(highest, grade_floor))
        capability = _capability(code, grade, founded, rng, quality_graded=quality_graded)
        if entry.note_en and code in extra_codes:
            # The note tells how these skills were learned, and that it was recently.
            capability = dataclasses.replace(
                capability,
                notes=f"{entry.note_ja}\n{entry.note_en}",
                since=datetime.date(2023, 4, 1),
            )
        capabilities.append(capability)

    town = rng.choice(entry.city.towns)
    return FirmSpec(
        name_ja=name_ja,
        name_en=name_en,
        prefecture=entry.city.prefecture,
        city=entry.city.name,
        address=f"{town}{rng.randint(1, 5)}-{rng.randint(1, 30)}-{rng.randint(1, 20)}",
        employees=employees,
        founded_year=founded,
        profile_ja=f"{founded}年創業。{trade.profile_ja}{entry.note_ja}",
        profile_en=f"Founded in {founded}. {trade.profile_en}"
        + (f" {entry.note_en}" if entry.note_en else ""),
        website=f"https://{domain}/",
        email=f"info@{domain}",
        phone=entry.city.phone(rng),
        role=role,
        joined_on=joined_on,
        person=_person(roster.next_username(), entry, domain, rng, roster, sms=sms),
        capabilities=tuple(sorted(capabilities, key=lambda capability: capability.code)),
        group_coordinator=group_coordinator,
        nda_signed_at=nda_signed_at,
    )


def _office(
    roster: _Roster,
    name_ja: str,
    name_en: str,
    city: City,
    town: str,
    founded: int,
    profile_ja: str,
    profile_en: str,
) -> FirmSpec:
    """Return the firm that runs a network's office, with its `<slug>-office` account."""
    rng = random.Random(f"{roster.slug}:office")
    domain = f"office.{roster.slug}.example.jp"
    family, given = roster.name(rng)
    return FirmSpec(
        name_ja=name_ja,
        name_en=name_en,
        prefecture=city.prefecture,
        city=city.name,
        address=f"{town}{rng.randint(1, 5)}-{rng.randint(1, 30)}-{rng.randint(1, 20)}",
        employees=rng.randint(3, 8),
        founded_year=founded,
        profile_ja=profile_ja,
        profile_en=profile_en,
        website=f"https://{domain}/",
        email=f"info@{domain}",
        phone=city.phone(rng),
        role="office",
        joined_on=datetime.date(founded, 4, 1),
        person=PersonSpec(
            username=f"{roster.slug}-office",
            last_name=family[0],
            first_name=given[0],
            email=f"office@{domain}",
            sms_number=_mobile_number(rng),
            notify_by_sms=True,
        ),
        capabilities=(),
    )


# --- Closing days -------------------------------------------------------------------------


def obon_and_year_end(*years: int) -> tuple[tuple[datetime.date, str], ...]:
    """Return the days an office closes each year besides the national holidays (which the
    clock knows): Obon in mid-August, and from 29 December to 3 January."""
    days = []
    for year in years:
        days += [(datetime.date(year, 1, day), "年始休業") for day in (2, 3)]
        days += [(datetime.date(year, 8, day), "お盆休み") for day in (13, 14, 15, 16)]
        days += [(datetime.date(year, 12, day), "年末休業") for day in (29, 30, 31)]
    return tuple(days)


OFFICE_CLOSING_DAYS = obon_and_year_end(2026, 2027)

# --- The networks -------------------------------------------------------------------------

KYOTO = "kyoto-shisaku-net"
RODAN21 = "rodan21"
MIGAKIYA = "migakiya-syndicate"
OTA_SLUG = "ota-skill-coordinators"
RODAN21_NDA_VERSION = "2024-04"

KYOTO_MEMBERS = (
    FirmEntry("伏見精工", "Fushimi Seiko", "five_axis", FUSHIMI),
    FirmEntry(
        "宇治精密",
        "Uji Seimitsu",
        "machining",
        UJI,
        extra=(("process.resin.machining", 2, 3), ("material.resin.pom", 2, 3)),
        note_ja="金属と樹脂の「セット」納品の案件をきっかけに樹脂加工を始めた。",
        note_en="Took up resin machining through orders delivered as metal-and-resin sets.",
    ),
    FirmEntry("久御山製作所", "Kumiyama Seisakusho", "turning", KUMIYAMA),
    FirmEntry("八幡研削工業", "Yawata Kensaku Kogyo", "grinding", YAWATA),
    FirmEntry("淀金型製作所", "Yodo Kanagata Seisakusho", "mold", FUSHIMI),
    FirmEntry(
        "桃山板金", "Momoyama Bankin", "sheet_metal", FUSHIMI, english_speaker=("Nguyen", "Van An")
    ),
    FirmEntry("巨椋プレス工業", "Ogura Press Kogyo", "press", KUMIYAMA),
    FirmEntry("向島溶接工業", "Mukaijima Yosetsu Kogyo", "welding", FUSHIMI),
    FirmEntry("醍醐化成", "Daigo Kasei", "resin", UJI),
    FirmEntry("城陽表面処理", "Joyo Hyomen Shori", "surface", JOYO),
)

RODAN21_STAKEHOLDERS = (
    FirmEntry("高井田企画", "Takaida Kikaku", "planning", HIGASHI_OSAKA),
    FirmEntry("布施デザイン工房", "Fuse Design Kobo", "industrial_design", HIGASHI_OSAKA),
    FirmEntry("長田設計", "Nagata Sekkei", "mechanical_design", HIGASHI_OSAKA),
    FirmEntry("小阪マーケティング研究所", "Kosaka Marketing Labo", "marketing", HIGASHI_OSAKA),
    FirmEntry("若江電機", "Wakae Denki", "electrical_assembly", HIGASHI_OSAKA),
    FirmEntry("鴻池精機", "Konoike Seiki", "machining", HIGASHI_OSAKA),
    FirmEntry("荒本精工", "Aramoto Seiko", "five_axis", HIGASHI_OSAKA),
    FirmEntry("御厨製作所", "Mikuriya Seisakusho", "turning", HIGASHI_OSAKA),
    FirmEntry("菱屋板金工業", "Hishiya Bankin Kogyo", "sheet_metal", HIGASHI_OSAKA),
    FirmEntry(
        "水走製缶",
        "Mizuhai Seikan",
        "sheet_metal",
        HIGASHI_OSAKA,
        extra=(("process.welding.tig", 3, 4),),
    ),
    FirmEntry("吉田プレス工業", "Yoshida Press Kogyo", "press", HIGASHI_OSAKA),
    FirmEntry("稲田溶接", "Inada Yosetsu", "welding", HIGASHI_OSAKA),
    FirmEntry("新家化成", "Shinke Kasei", "resin", HIGASHI_OSAKA),
    FirmEntry("加納機工", "Kano Kiko", "mechanical_assembly", HIGASHI_OSAKA),
    FirmEntry("楠根鍍金工業", "Kusune Mekki Kogyo", "surface", HIGASHI_OSAKA),
    FirmEntry("河内商事", "Kawachi Shoji", "sales", HIGASHI_OSAKA),
    FirmEntry(
        "石切国際特許事務所", "Ishikiri International Patent Office", "patent", HIGASHI_OSAKA
    ),
)

# Manufacturing, design and sales firms outside the stakeholders; the last two have not
# signed the NDA yet, so confidential requests must not reach them.
RODAN21_CLUSTER = (
    FirmEntry("瓢箪山精密", "Hyotanyama Seimitsu", "grinding", HIGASHI_OSAKA, nda=True),
    FirmEntry("額田熱処理", "Nukata Netsushori", "heat", HIGASHI_OSAKA, nda=True),
    FirmEntry("枚岡鋳造所", "Hiraoka Chuzosho", "casting", HIGASHI_OSAKA, nda=True),
    FirmEntry("日下造形技研", "Kusaka Zokei Giken", "additive", HIGASHI_OSAKA, nda=True),
    FirmEntry(
        "本町プロダクトデザイン",
        "Honmachi Product Design",
        "industrial_design",
        OSAKA_CHUO,
        nda=True,
    ),
    FirmEntry("堀江設計室", "Horie Sekkeishitsu", "mechanical_design", OSAKA_NISHI, nda=True),
    FirmEntry("なにわ販売", "Naniwa Hanbai", "sales", OSAKA_CHUO),
    FirmEntry(
        "生駒トレーディング",
        "Ikoma Trading",
        "sales",
        HIGASHI_OSAKA,
        english_speaker=("Mehta", "Arjun"),
    ),
)

MIRROR = ("finish.polishing.mirror", 4, 5)
HAIRLINE = ("finish.polishing.hairline", 3, 5)
BARREL = ("finish.polishing.barrel", 3, 4)
MAGNESIUM = ("material.magnesium", 3, 4)
TITANIUM = ("material.titanium", 3, 4)
ALUMINIUM = ("material.aluminium", 3, 5)
BRASS = ("material.brass", 3, 5)

MIGAKIYA_ADMINISTRATIVE = (
    FirmEntry("五十嵐研磨工業", "Igarashi Kenma Kogyo", "polishing", TSUBAME, extra=(MIRROR,)),
    FirmEntry("本間研磨", "Honma Kenma", "polishing", TSUBAME, extra=(MAGNESIUM, ALUMINIUM)),
    FirmEntry(
        "渡辺金属研磨", "Watanabe Kinzoku Kenma", "polishing", TSUBAME, extra=(MIRROR, TITANIUM)
    ),
    FirmEntry("長谷川バフ工業", "Hasegawa Buff Kogyo", "polishing", SANJO, extra=(BRASS,)),
    FirmEntry("燕ポリッシュ", "Tsubame Polish", "polishing", TSUBAME, extra=(HAIRLINE,)),
    FirmEntry("佐藤研磨製作所", "Sato Kenma Seisakusho", "polishing", TSUBAME, extra=(BARREL,)),
)

MIGAKIYA_MEMBERS = (
    FirmEntry("小池研磨", "Koike Kenma", "polishing", TSUBAME),
    FirmEntry("吉田バフ", "Yoshida Buff", "polishing", TSUBAME),
    FirmEntry("大曲研磨工業所", "Omagari Kenma Kogyosho", "polishing", TSUBAME),
    FirmEntry(
        "井土巻ポリシング",
        "Idomaki Polishing",
        "polishing",
        TSUBAME,
        english_speaker=("Santos", "Maria"),
    ),
    FirmEntry("分水研磨", "Bunsui Kenma", "polishing", TSUBAME),
    FirmEntry("小関金属", "Koseki Kinzoku", "polishing", TSUBAME),
    FirmEntry("杣木研磨", "Somaki Kenma", "polishing", TSUBAME),
    FirmEntry("斎藤研磨", "Saito Kenma", "polishing", TSUBAME),
    FirmEntry("高橋鏡面工業", "Takahashi Kyomen Kogyo", "polishing", TSUBAME, extra=(MIRROR,)),
    FirmEntry("遠藤研磨", "Endo Kenma", "polishing", SANJO),
    FirmEntry("須頃研磨", "Sugoro Kenma", "polishing", SANJO),
    FirmEntry("三条ヘアライン工業", "Sanjo Hairline Kogyo", "polishing", SANJO, extra=(HAIRLINE,)),
    FirmEntry("丸山研磨所", "Maruyama Kenmasho", "polishing", TSUBAME),
    FirmEntry("阿部バレル工業", "Abe Barrel Kogyo", "polishing", TSUBAME, extra=(BARREL,)),
    FirmEntry("信濃川研磨", "Shinanogawa Kenma", "polishing", SANJO),
    FirmEntry("弥彦ポリッシュ", "Yahiko Polish", "polishing", TSUBAME),
    FirmEntry("中ノ口研磨", "Nakanokuchi Kenma", "polishing", TSUBAME, extra=(MAGNESIUM,)),
    FirmEntry("捧研磨工業", "Sasage Kenma Kogyo", "polishing", TSUBAME),
    FirmEntry("野本研磨", "Nomoto Kenma", "polishing", TSUBAME),
    FirmEntry("塚野目バフ", "Tsukanome Buff", "polishing", SANJO),
    FirmEntry("西大崎研磨", "Nishi-Osaki Kenma", "polishing", SANJO),
    FirmEntry(
        "燕電解研磨",
        "Tsubame Denkai Kenma",
        "polishing",
        TSUBAME,
        extra=(("finish.electropolishing", 4, 5),),
    ),
    FirmEntry("田中金属仕上げ", "Tanaka Kinzoku Shiage", "polishing", TSUBAME),
)

OTA_COORDINATORS = (
    FirmEntry("蒲田技研", "Kamata Giken", "coordinator", OTA, english_speaker=("Weber", "Daniel")),
    FirmEntry("糀谷精密", "Kojiya Seimitsu", "coordinator", OTA),
    FirmEntry("羽田製作所", "Haneda Seisakusho", "coordinator", OTA),
    FirmEntry("矢口工業", "Yaguchi Kogyo", "coordinator", OTA),
)

# Every group spans the same trades so that the four can compete for the same request.
OTA_GROUP_TRADES = (
    "machining",
    "turning",
    "grinding",
    "mold",
    "press",
    "sheet_metal",
    "welding",
    "surface",
    "heat",
    "resin",
    ("casting", "forging", "casting", "forging"),
    ("electrical_assembly", "mechanical_assembly", "additive", "electrical_assembly"),
)

OTA_GROUP_NAMES = (
    (
        ("西蒲田精機", "Nishi-Kamata Seiki"),
        ("池上製作所", "Ikegami Seisakusho"),
        ("大森研削", "Omori Kensaku"),
        ("山王金型", "Sanno Kanagata"),
        ("馬込プレス", "Magome Press"),
        ("南蒲田板金", "Minami-Kamata Bankin"),
        ("新蒲田溶接", "Shin-Kamata Yosetsu"),
        ("東蒲田鍍金", "Higashi-Kamata Mekki"),
        ("本羽田熱処理", "Honhaneda Netsushori"),
        ("久が原化成", "Kugahara Kasei"),
        ("平和島鋳造所", "Heiwajima Chuzosho"),
        ("蒲田電機", "Kamata Denki"),
    ),
    (
        ("東糀谷精機", "Higashi-Kojiya Seiki"),
        ("萩中製作所", "Haginaka Seisakusho"),
        ("大鳥居研削", "Otorii Kensaku"),
        ("羽田旭金型", "Haneda Asahi Kanagata"),
        ("北糀谷プレス", "Kita-Kojiya Press"),
        ("穴守板金", "Anamori Bankin"),
        ("西糀谷溶接", "Nishi-Kojiya Yosetsu"),
        ("大森南表面処理", "Omori-Minami Hyomen Shori"),
        ("東六郷熱処理", "Higashi-Rokugo Netsushori"),
        ("糀谷化成", "Kojiya Kasei"),
        ("昭和島鍛工所", "Showajima Tankosho"),
        ("京浜島機工", "Keihinjima Kiko"),
    ),
    (
        ("弁天橋精機", "Bentenbashi Seiki"),
        ("六郷製作所", "Rokugo Seisakusho"),
        ("雑色研削工業", "Zoshiki Kensaku Kogyo"),
        ("南六郷金型", "Minami-Rokugo Kanagata"),
        ("仲六郷プレス工業", "Naka-Rokugo Press Kogyo"),
        ("西六郷板金", "Nishi-Rokugo Bankin"),
        ("羽田溶接工業", "Haneda Yosetsu Kogyo"),
        ("萩中鍍金", "Haginaka Mekki"),
        ("多摩川熱処理", "Tamagawa Netsushori"),
        ("鵜の木化成", "Unoki Kasei"),
        ("千鳥鋳造所", "Chidori Chuzosho"),
        ("京浜造形技研", "Keihin Zokei Giken"),
    ),
    (
        ("下丸子精機", "Shimomaruko Seiki"),
        ("東矢口製作所", "Higashi-Yaguchi Seisakusho"),
        ("田園研削工業", "Den-en Kensaku Kogyo"),
        ("武蔵新田金型", "Musashi-Nitta Kanagata"),
        ("嶺町プレス工業", "Minemachi Press Kogyo"),
        ("石川町板金", "Ishikawacho Bankin"),
        ("千束溶接", "Senzoku Yosetsu"),
        ("雪谷鍍金", "Yukigaya Mekki"),
        ("長原熱処理", "Nagahara Netsushori"),
        ("御嶽化成", "Ontake Kasei"),
        ("沼部鍛工所", "Numabe Tankosho"),
        ("大岡山電機", "Ookayama Denki"),
    ),
)


def _invoice_issuer(office: FirmSpec, registration_number: str) -> dict:
    return {
        "invoice_issuer_name": office.name_ja,
        "invoice_issuer_address": f"{office.city}{office.address}",
        # T and 13 digits, as the format requires; the run of nines marks it as made up.
        "invoice_registration_number": registration_number,
    }


def _kyoto() -> NetworkSpec:
    roster = _Roster(KYOTO)
    office = _office(
        roster,
        "京都試作ネット 事務局",
        "Kyoto Shisaku Net Office",
        FUSHIMI,
        "竹田",
        2001,
        "京都府南部の機械金属系中小企業10社による試作専門ネットワークの事務局。",
        "The office of ten machine and metal SMEs in southern Kyoto that specialize in prototypes.",
    )
    members = tuple(
        _firm(
            entry,
            roster=roster,
            role="member",
            joined_on=datetime.date(2001, 7, 1),
            # Requests reach members' computers and their supervisors' cell phones.
            sms=True,
        )
        for entry in KYOTO_MEMBERS
    )
    return NetworkSpec(
        slug=KYOTO,
        settings={
            "name_ja": "京都試作ネット",
            "name_en": "Kyoto Shisaku Net",
            "region": "京都府南部 Southern Kyoto",
            "description_ja": "京都府南部の機械金属系中小企業10社による試作専門のネットワーク。"
            "ウェブやFAXで届いた依頼を、登録された技術をもとに事務局が会員に振り分け、"
            "2時間以内に見積りを返します。",
            "description_en": "Ten machine and metal SMEs in southern Kyoto specializing in "
            "prototypes. The office routes each request by the competencies members "
            "registered and sends the estimate within two hours.",
            "policy": "competency_broadcast",
            "estimate_window_minutes": 120,
            "member_response_minutes": 60,
            "reminder_before_minutes": 30,
            "use_business_hours": False,
            "office_fee_bps": 500,
            "nda_required": False,
            "nda_version": "",
            "admin_decision_rule": "any",
            "office_may_designate_urgent": True,
            "designate_on_breach": True,
            **_invoice_issuer(office, "T9999026000011"),
        },
        closing_days=(),
        firms=(office, *members),
    )


def _rodan21() -> NetworkSpec:
    roster = _Roster(RODAN21)
    office = _office(
        roster,
        "ロダン21 事務局",
        "Rodan21 Office",
        HIGASHI_OSAKA,
        "高井田",
        2001,
        "「どんなものづくりにも挑戦します」。東大阪の中小企業によるワンストップ窓口。",
        "'We accept any manufacturing challenge!' The one-stop desk of Higashi-Osaka SMEs.",
    )
    stakeholders = tuple(
        _firm(
            entry,
            roster=roster,
            role="stakeholder",
            joined_on=datetime.date(2001, 10, 1),
        )
        for entry in RODAN21_STAKEHOLDERS
    )
    cluster = []
    for index, entry in enumerate(RODAN21_CLUSTER):
        signed_at = datetime.datetime(2024, 4, 8 + index, 10, 30, tzinfo=JST) if entry.nda else None
        cluster.append(
            _firm(
                entry,
                roster=roster,
                role="member_cluster",
                joined_on=datetime.date(2012 + index, 6, 1),
                nda_signed_at=signed_at,
            )
        )
    return NetworkSpec(
        slug=RODAN21,
        settings={
            "name_ja": "ロダン21",
            "name_en": "Rodan21",
            "region": "大阪府東大阪市 Higashi-Osaka",
            "description_ja": "企画・設計から試作、生産、事業化までのワンストップサービス。"
            "無料相談のあと、面談と企画会議で各工程を担う会社を選びます。",
            "description_en": "One-stop service from planning and design to prototypes, "
            "production and commercialization. Free consultation, then a face-to-face "
            "interview and a planning meeting select the firms for each phase.",
            "policy": "consultation",
            "estimate_window_minutes": 120,
            "member_response_minutes": 60,
            "reminder_before_minutes": 30,
            "use_business_hours": True,
            "business_day_start": datetime.time(9, 0),
            "business_day_end": datetime.time(18, 0),
            "working_weekdays": [0, 1, 2, 3, 4],
            "office_fee_bps": 800,
            "nda_required": True,
            "nda_version": RODAN21_NDA_VERSION,
            "admin_decision_rule": "any",
            "office_may_designate_urgent": False,
            "designate_on_breach": False,
            **_invoice_issuer(office, "T9999027000021"),
        },
        closing_days=OFFICE_CLOSING_DAYS,
        firms=(office, *stakeholders, *cluster),
    )


def _migakiya() -> NetworkSpec:
    roster = _Roster(MIGAKIYA)
    office = _office(
        roster,
        "燕商工会議所 磨き屋シンジケート事務局",
        "Tsubame Chamber of Commerce, Migakiya Syndicate Office",
        TSUBAME,
        "吉田",
        2003,
        "燕商工会議所が運営する磨き屋シンジケートのサイト事務局。",
        "The site office of the Migakiya Syndicate, run by the Tsubame Chamber of Commerce.",
    )
    administrative = tuple(
        _firm(
            entry,
            roster=roster,
            role="administrative",
            joined_on=datetime.date(2003, 1, 15),
            # The administrative members train the others: they hold the top grades.
            grade_floor=4,
            quality_graded=True,
        )
        for entry in MIGAKIYA_ADMINISTRATIVE
    )
    members = tuple(
        _firm(
            entry,
            roster=roster,
            role="member",
            joined_on=datetime.date(2003 + index % 12, 4, 1),
            quality_graded=True,
        )
        for index, entry in enumerate(MIGAKIYA_MEMBERS)
    )
    return NetworkSpec(
        slug=MIGAKIYA,
        settings={
            "name_ja": "磨き屋シンジケート",
            "name_en": "Migakiya Syndicate",
            "region": "新潟県燕・三条 Tsubame-Sanjo, Niigata",
            "description_ja": "燕地域の金属研磨業29社による共同受注。注文はまず6社の幹事企業が"
            "受注を判断し、担当企業が会員でチーム（シンジケート）を組みます。"
            "品質は「研磨技術基準」で揃えています。",
            "description_en": "29 metal polishing firms of the Tsubame area taking orders "
            "together. Six administrative members decide whether to accept each order; the "
            "firms in charge form a team (a 'syndicate') of members. Quality follows the "
            "polishing technology standards.",
            "policy": "admin_board",
            "estimate_window_minutes": 240,
            "member_response_minutes": 120,
            "reminder_before_minutes": 60,
            "use_business_hours": True,
            "business_day_start": datetime.time(8, 30),
            "business_day_end": datetime.time(17, 30),
            "working_weekdays": [0, 1, 2, 3, 4],
            "office_fee_bps": 1000,
            "nda_required": False,
            "nda_version": "",
            "admin_decision_rule": "majority",
            "office_may_designate_urgent": False,
            "designate_on_breach": False,
            **_invoice_issuer(office, "T9999015000031"),
        },
        closing_days=OFFICE_CLOSING_DAYS,
        firms=(office, *administrative, *members),
    )


def _ota() -> NetworkSpec:
    roster = _Roster(OTA_SLUG)
    office = _office(
        roster,
        "大田工業ネットワーク 事務局",
        "Ota Industrial Network Office",
        OTA,
        "蒲田",
        1998,
        "大田区の4社のスキルコーディネーターと、そのグループの事務局。",
        "The office of Ota ward's four skill coordinators and their groups.",
    )
    coordinators = []
    groups = []
    for entry in OTA_COORDINATORS:
        coordinator = _firm(
            entry,
            roster=roster,
            role="coordinator",
            joined_on=datetime.date(1998, 4, 1),
        )
        # A coordinator heads its own group: it belongs to the team whenever the group wins.
        coordinator = dataclasses.replace(coordinator, group_coordinator=coordinator.name_en)
        coordinators.append(coordinator)
        groups.append(
            GroupSpec(
                name_ja=f"{entry.name_ja}グループ",
                name_en=f"{entry.name_en} Group",
                coordinator=coordinator.name_en,
            )
        )
    members = []
    for group_number, (group, names) in enumerate(zip(groups, OTA_GROUP_NAMES, strict=True)):
        for position, ((name_ja, name_en), trade) in enumerate(
            zip(names, OTA_GROUP_TRADES, strict=True)
        ):
            if isinstance(trade, tuple):
                trade = trade[group_number]
            members.append(
                _firm(
                    FirmEntry(name_ja, name_en, trade, OTA),
                    roster=roster,
                    role="member",
                    joined_on=datetime.date(1999 + position, 4, 1),
                    group_coordinator=group.coordinator,
                )
            )
    return NetworkSpec(
        slug=OTA_SLUG,
        settings={
            "name_ja": "大田区スキルコーディネーター",
            "name_en": "Ota skill coordinators",
            "region": "東京都大田区 Ota, Tokyo",
            "description_ja": "4社のスキルコーディネーターがそれぞれ区内の町工場のグループを"
            "率います。グループ同士が受注を競い、受注したグループの会員が協力して仕上げます。",
            "description_en": "Four skill coordinators each lead a group of Ota ward workshops. "
            "The groups compete for a customer's order; once one wins, its members cooperate "
            "on it.",
            "policy": "competing_groups",
            "estimate_window_minutes": 240,
            "member_response_minutes": 180,
            "reminder_before_minutes": 60,
            "use_business_hours": False,
            "office_fee_bps": 700,
            "nda_required": False,
            "nda_version": "",
            "admin_decision_rule": "any",
            "office_may_designate_urgent": False,
            "designate_on_breach": False,
            **_invoice_issuer(office, "T9999013000041"),
        },
        closing_days=(),
        firms=(office, *coordinators, *members),
        groups=tuple(groups),
    )


@functools.cache
def demo_networks() -> tuple[NetworkSpec, ...]:
    """Return the four demo networks, each with its firms in account-number order."""
    return (_kyoto(), _rodan21(), _migakiya(), _ota())


# --- Customers, staff and requests --------------------------------------------------------

CUSTOMERS: tuple[PersonSpec, ...] = (
    PersonSpec(
        username="customer-1",
        last_name="藤原",
        first_name="智也",
        email="t.fujiwara@mech.rakunan-it.example.jp",
        customer_type="university",
        organization="洛南工科大学 精密機械研究室 Rakunan Institute of Technology, "
        "Precision Mechanics Lab",
    ),
    PersonSpec(
        username="customer-2",
        last_name="森",
        first_name="由紀子",
        email="yukiko.mori@rd.minato-denshi.example.jp",
        customer_type="company",
        organization="株式会社ミナト電子 研究開発本部 Minato Denshi Corp., R&D Division",
    ),
    PersonSpec(
        username="customer-3",
        last_name="小川",
        first_name="健司",
        email="k.ogawa@hokuetsu-iti.example.jp",
        customer_type="university",
        organization="北越産業技術研究所 Hokuetsu Industrial Technology Institute",
    ),
    PersonSpec(
        username="customer-4",
        last_name="大島",
        first_name="文子",
        email="fumiko.oshima@mail.example.jp",
        customer_type="private",
    ),
    PersonSpec(
        username="customer-5",
        last_name="石井",
        first_name="大地",
        email="daichi.ishii@mail.example.jp",
        customer_type="private",
    ),
    PersonSpec(
        username="customer-6",
        last_name="Carter",
        first_name="Emily",
        email="emily.carter@skyward-robotics.example.jp",
        language="en",
        customer_type="company",
        organization="スカイワード・ロボティクス株式会社 Skyward Robotics K.K.",
    ),
)

PLATFORM_STAFF = PersonSpec(
    username="admin",
    last_name="運営",
    first_name="管理者",
    email="admin@sme-networks.example.jp",
    is_staff=True,
    is_superuser=True,
)

REQUESTS: tuple[RequestSpec, ...] = (
    RequestSpec(
        network=KYOTO,
        customer="customer-1",
        title="超音波モータ用ステータの試作",
        description="研究用の超音波モータのステータを2個試作したい。外径30 mm、櫛歯の溝幅"
        "0.5 mm、平面度2 µm。図面（PDF・STEP）あり。",
        kind="prototype",
        quantity=2,
        material="りん青銅 C5191",
        desired_in_days=30,
        budget_min=50_000,
        budget_max=200_000,
        status="submitted",
        submitted_minutes_ago=35,
        requirements=(
            RequirementSpec("process.machining.turning", 3),
            RequirementSpec("process.machining.grinding", 4, "平面度 2 µm"),
            RequirementSpec("material.copper", 2, "りん青銅"),
        ),
    ),
    RequestSpec(
        network=KYOTO,
        customer="customer-2",
        title="アルミ筐体と樹脂カバーのセット試作",
        description="センサユニットのアルミ削り出し筐体（アルマイト黒）とPOMカバーをセットで"
        "3組。来週の社内評価に間に合わせたい。",
        kind="prototype",
        quantity=3,
        material="A6061 / POM",
        desired_in_days=10,
        budget_min=300_000,
        budget_max=800_000,
        urgency="urgent",
        status="submitted",
        submitted_minutes_ago=12,
        requirements=(
            RequirementSpec("process.machining.five_axis", 4),
            RequirementSpec("process.machining.milling", 4),
            RequirementSpec("process.resin.machining", 3, "POMカバー"),
            RequirementSpec("finish.anodizing", 3, "黒アルマイト"),
            RequirementSpec("material.aluminium", 3),
        ),
    ),
    RequestSpec(
        network=KYOTO,
        customer="customer-2",
        title="検査治具プレートの追加工（FAX受付）",
        description="既存の検査治具プレート20枚に位置決め穴の追加工。FAXで届いた図面を事務局が"
        "入力。",
        kind="production",
        quantity=20,
        material="S50C",
        desired_in_days=21,
        budget_max=250_000,
        channel="fax",
        entered_by=f"{KYOTO}-office",
        status="submitted",
        submitted_minutes_ago=70,
        requirements=(
            RequirementSpec("process.machining.milling", 3),
            RequirementSpec("process.machining.grinding", 3),
            RequirementSpec("material.carbon_steel", 2),
        ),
    ),
    RequestSpec(
        network=KYOTO,
        customer="customer-6",
        title="Redesign of a camera gimbal bracket",
        description="Our gimbal bracket cracks in vibration tests. We would like it redesigned "
        "and three machined samples made.",
        kind="design",
        quantity=3,
        material="A7075",
        desired_in_days=45,
        requirements=(
            RequirementSpec("service.design.mechanical", 3),
            RequirementSpec("process.machining.milling", 3),
            RequirementSpec("material.aluminium", 3),
        ),
    ),
    RequestSpec(
        network=RODAN21,
        customer="customer-2",
        title="車いす用リフトの小型化についての相談",
        description="介護施設向け車いす用リフトを一般住宅向けに小型化したい。構想段階のため、"
        "まず面談で相談したい。",
        kind="consultation",
        confidential=True,
        status="submitted",
        submitted_minutes_ago=40,
        requirements=(
            RequirementSpec("service.planning", 3),
            RequirementSpec("service.design.mechanical", 4),
            RequirementSpec("service.design.electrical", 3),
            RequirementSpec("process.sheet_metal.bending", 3),
            RequirementSpec("process.assembly", 3),
        ),
    ),
    RequestSpec(
        network=RODAN21,
        customer="customer-6",
        title="Commercializing a solar-powered outdoor LED light",
        description="We have a working prototype of a solar garden light and need design for "
        "production, a market study and a partner to make the first 5,000 units.",
        kind="design",
        quantity=5000,
        confidential=True,
        budget_min=2_000_000,
        budget_max=6_000_000,
        status="submitted",
        submitted_minutes_ago=15,
        requirements=(
            RequirementSpec("service.design.industrial", 3),
            RequirementSpec("service.marketing_study", 3),
            RequirementSpec("service.commercialization", 3),
            RequirementSpec("process.press.stamping", 3),
            RequirementSpec("process.resin.injection_molding", 3),
        ),
    ),
    RequestSpec(
        network=RODAN21,
        customer="customer-5",
        title="家庭菜園用の散水ポンプを作りたい",
        description="雨水タンクから水をくみ上げる小さな足踏みポンプのアイデアがあります。"
        "製品にできるか相談したい。",
        kind="consultation",
        requirements=(
            RequirementSpec("service.consultation", 1),
            RequirementSpec("service.planning", 2),
        ),
    ),
    RequestSpec(
        network=MIGAKIYA,
        customer="customer-4",
        title="祖父の懐中時計ケースを鏡面に仕上げてほしい",
        description="祖父の形見の懐中時計のケース（真鍮に銀めっき）がくもっています。"
        "刻印を残したまま鏡面に戻せますか。",
        kind="finishing",
        material="真鍮（銀めっき）",
        desired_in_days=30,
        budget_max=30_000,
        status="submitted",
        submitted_minutes_ago=25,
        requirements=(
            RequirementSpec("finish.polishing.mirror", 4, "刻印を残す"),
            RequirementSpec("material.brass", 3),
        ),
    ),
    RequestSpec(
        network=MIGAKIYA,
        customer="customer-5",
        title="バイクのエンジンカバー（アルミ）のバフ研磨",
        description="1970年代のバイクのアルミ製エンジンカバー左右2点。腐食を落として"
        "バフで光らせたい。",
        kind="finishing",
        quantity=2,
        material="アルミ鋳物",
        desired_in_days=20,
        budget_max=60_000,
        status="submitted",
        submitted_minutes_ago=50,
        requirements=(
            RequirementSpec("finish.polishing.buffing", 3),
            RequirementSpec("finish.polishing.mirror", 3),
            RequirementSpec("material.aluminium", 3),
        ),
    ),
    RequestSpec(
        network=MIGAKIYA,
        customer="customer-3",
        title="マグネシウム合金筐体の量産研磨",
        description="マグネシウム合金（AZ31）製筐体500個の研磨。量産工程の確立から相談したい。"
        "複数社での分納も可。",
        kind="production",
        quantity=500,
        material="AZ31",
        desired_in_days=60,
        budget_min=1_500_000,
        budget_max=3_000_000,
        status="submitted",
        submitted_minutes_ago=90,
        requirements=(
            RequirementSpec("finish.polishing.buffing", 4),
            RequirementSpec("finish.polishing.barrel", 3),
            RequirementSpec("material.magnesium", 4),
        ),
    ),
    RequestSpec(
        network=MIGAKIYA,
        customer="customer-2",
        title="半導体製造装置部品の電解研磨",
        description="SUS316L製チャンバー部品40点の電解研磨と鏡面仕上げ。パーティクル対策のため"
        "Ra 0.02 µm以下。",
        kind="finishing",
        quantity=40,
        material="SUS316L",
        confidential=True,
        requirements=(
            RequirementSpec("finish.electropolishing", 4),
            RequirementSpec("finish.polishing.mirror", 5),
            RequirementSpec("material.stainless", 4),
        ),
    ),
    RequestSpec(
        network=OTA_SLUG,
        customer="customer-2",
        title="精密金型入れ子の試作",
        description="コネクタ成形用金型の入れ子4点。ワイヤーカット後に研削仕上げ、公差±2 µm。",
        kind="prototype",
        quantity=4,
        material="SKD11",
        desired_in_days=25,
        budget_min=400_000,
        budget_max=900_000,
        status="submitted",
        submitted_minutes_ago=20,
        requirements=(
            RequirementSpec("process.mold_making", 4),
            RequirementSpec("process.edm.wire", 4),
            RequirementSpec("process.machining.grinding", 4, "±2 µm"),
            RequirementSpec("material.tool_steel", 3),
        ),
    ),
    RequestSpec(
        network=OTA_SLUG,
        customer="customer-1",
        title="研究用真空チャンバーの製作",
        description="内径300 mmの小型真空チャンバー1台。ICFフランジ付き、ヘリウムリーク試験"
        "の成績書が必要。",
        kind="prototype",
        material="SUS304",
        desired_in_days=50,
        budget_max=1_200_000,
        status="submitted",
        submitted_minutes_ago=45,
        requirements=(
            RequirementSpec("process.welding.tig", 4),
            RequirementSpec("process.machining.milling", 3),
            RequirementSpec("process.inspection", 3, "リーク試験"),
            RequirementSpec("material.stainless", 4),
        ),
    ),
    RequestSpec(
        network=OTA_SLUG,
        customer="customer-6",
        title="Titanium brackets for a delivery drone",
        description="Ten lightweight motor brackets, topology-optimized, in Ti-6Al-4V. "
        "STEP files attached.",
        kind="prototype",
        quantity=10,
        material="Ti-6Al-4V",
        desired_in_days=30,
        requirements=(
            RequirementSpec("process.machining.five_axis", 4),
            RequirementSpec("material.titanium", 3),
        ),
    ),
)
