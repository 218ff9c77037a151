"""The shapes of each studied network's year, as data: volumes, mixes, rates and values.

The studies give a few figures (see /work/shared/sources/networks.md and DESIGN.md §2);
everything else here is an assumption chosen so that the replayed year reproduces those
figures through the real services, and each assumption is named so it can be tuned:

Kyoto Shisaku Net   200 to 300 requests, about 20% signed, orders from a little over ¥10,000
                    to ¥10,000,000; prototype customers come back for production; "set"
                    orders need several skills, and members learn new skills through them.
Rodan21             over 1,000 requests, about 250 commercialized; free consultations, an
                    interview and a planning meeting before any estimate.
Migakiya Syndicate  about ¥25,000,000 a year through the office to members; customers also
                    contact members directly after finding them on the site.
Ota coordinators    four groups compete for each order.

Money is yen before consumption tax unless a name says otherwise.
"""

# Japanese text is written with full-width brackets, as Japanese readers expect.
# ruff: noqa: RUF001

from dataclasses import dataclass, field

from members.models import User
from orders.models import RFQ

COMPANY = User.CustomerType.COMPANY
UNIVERSITY = User.CustomerType.UNIVERSITY
PRIVATE = User.CustomerType.PRIVATE


@dataclass(frozen=True)
class RequestTemplate:
    """A kind of request a network receives, with what it needs and what it is worth."""

    title_ja: str
    description_ja: str
    requirements: tuple[tuple[str, int], ...]  # (capability code, minimum grade)
    kind: str = RFQ.Kind.PROTOTYPE
    customer_type: str = COMPANY
    weight: int = 1
    quantity: tuple[int, int] = (1, 5)
    material: str = ""
    value_median: int = 200_000  # the job's subtotal, before tax
    value_spread: float = 0.8  # sigma of the log-normal around the median
    # A "set": several skills in one order (metal and resin, say), done by a team; the
    # member that lacked one of them may learn it through the order.
    is_set: bool = False


@dataclass(frozen=True)
class StudyFigure:
    """A figure of a study, and the range a replayed year must land in to reproduce it."""

    key: str  # the replay's measure, see demo.replay.figures
    label: str
    study: str
    low: float | None = None
    high: float | None = None
    scales: bool = False  # a volume, which a replay of part of the year's volume shrinks


@dataclass(frozen=True)
class NetworkShape:
    """How one network's year goes: arrivals, customers, decisions, money."""

    slug: str
    requests_per_year: tuple[int, int]  # fresh requests (follow-ons come on top)
    templates: tuple[RequestTemplate, ...]
    customers: int  # distinct customers in the year: many come back
    value_range: tuple[int, int] = (10_000, 9_000_000)  # a subtotal is clamped to it
    accept_rate: float = 0.25  # a customer accepts an estimate it received
    follow_on_accept_rate: float = 0.6
    follow_on_rate: float = 0.0  # a delivered prototype order brings a production request
    fax_share: float = 0.0  # keyed in by the office
    urgent_share: float = 0.1
    confidential_share: float = 0.0
    off_hours_share: float = 0.12  # web requests at night or on weekends
    silent_rate: float = 0.06  # an invited member that never answers
    can_do_rate: float = 0.7  # an invited member covering everything says it can do it
    skill_learning_rate: float = 0.5  # a set order teaches a team member the skill it lacked
    directory_contacts_per_year: int = 20
    payment_days: tuple[int, int] = (10, 45)  # from receipt of the goods to the transfer
    deposit_from: int = 1_000_000  # orders from this total pay a 30% deposit up front
    fault_rate: float = 0.0
    # The administrative board (Migakiya): how often the board turns a request down.
    board_decline_rate: float = 0.05
    # The consultation (Rodan21).
    consultation_only_rate: float = 0.0  # the free consultation ends at the interview
    no_team_rate: float = 0.0  # the planning meeting finds no way to do it
    commercial_scope_rate: float = 0.0  # the project runs to production/commercialization
    # Competing groups (Ota): a group not keen on a request prices itself out.
    group_reluctance: float = 0.15
    study: tuple[StudyFigure, ...] = field(default_factory=tuple)


KYOTO = NetworkShape(
    slug="kyoto-shisaku-net",
    requests_per_year=(225, 250),
    customers=140,
    value_range=(11_000, 9_000_000),
    accept_rate=0.23,
    follow_on_accept_rate=0.6,
    follow_on_rate=0.3,
    fax_share=0.12,
    urgent_share=0.15,
    directory_contacts_per_year=30,
    templates=(
        RequestTemplate(
            "アルミ削り出しブラケットの試作",
            "装置用ブラケットをアルミ材から削り出しで試作したい。図面あり。",
            (("process.machining.milling", 3), ("material.aluminium", 2)),
            weight=20,
            material="A5052",
            value_median=180_000,
            value_spread=1.1,
        ),
        RequestTemplate(
            "ステンレスシャフトの旋削試作",
            "外径20 mmのステンレスシャフトを旋削で試作。公差±0.01 mm。",
            (("process.machining.turning", 3), ("material.stainless", 2)),
            weight=14,
            material="SUS304",
            value_median=120_000,
            value_spread=1.0,
        ),
        RequestTemplate(
            "5軸加工によるインペラの試作",
            "ブロワ用インペラを5軸加工で一体削り出ししたい。",
            (("process.machining.five_axis", 3), ("material.aluminium", 3)),
            weight=6,
            material="A7075",
            value_median=1_200_000,
            value_spread=0.9,
        ),
        RequestTemplate(
            "アルミ筐体と樹脂カバーのセット試作",
            "センサユニットのアルミ削り出し筐体とPOMカバーをセットで試作したい。",
            (
                ("process.machining.milling", 3),
                ("process.resin.machining", 2),
                ("material.aluminium", 2),
            ),
            weight=10,
            material="A6061 / POM",
            value_median=450_000,
            value_spread=0.9,
            is_set=True,
        ),
        RequestTemplate(
            "板金フレームと溶接のセット試作",
            "測定器の板金フレームを曲げと溶接でセット試作。",
            (("process.sheet_metal.bending", 2), ("process.welding.tig", 2)),
            weight=6,
            material="SPCC / SUS304",
            value_median=380_000,
            value_spread=0.9,
            is_set=True,
        ),
        RequestTemplate(
            "精密金型部品のワイヤ放電加工",
            "金型入れ子のワイヤ放電加工と仕上げ。",
            (("process.edm.wire", 3), ("material.tool_steel", 2)),
            weight=6,
            material="SKD11",
            value_median=320_000,
            value_spread=0.8,
        ),
        RequestTemplate(
            "試作金型と樹脂成形品のセット",
            "簡易金型を製作し、樹脂部品を100個成形したい。",
            (("process.mold_making", 3), ("process.resin.injection_molding", 2)),
            kind=RFQ.Kind.DESIGN,
            weight=5,
            quantity=(50, 200),
            material="ABS",
            value_median=2_800_000,
            value_spread=0.8,
            is_set=True,
        ),
        RequestTemplate(
            "熱処理後の研削追加工",
            "焼入れ後の平面研削。平面度5 µm。",
            (("process.heat_treatment", 2), ("process.machining.grinding", 3)),
            kind=RFQ.Kind.PRODUCTION,
            weight=6,
            quantity=(10, 40),
            material="S45C",
            value_median=150_000,
            value_spread=0.9,
            is_set=True,
        ),
        RequestTemplate(
            "医療機器部品の微細加工",
            "カテーテル用部品の微細加工試作。",
            (("process.machining.micro", 3),),
            customer_type=UNIVERSITY,
            weight=4,
            material="SUS316L",
            value_median=260_000,
            value_spread=1.0,
        ),
        RequestTemplate(
            "研究用治具の組立と検査",
            "実験装置の治具を加工・組立し、検査成績書を付けてほしい。",
            (
                ("process.machining.milling", 2),
                ("process.assembly", 2),
                ("process.inspection", 2),
            ),
            customer_type=UNIVERSITY,
            weight=5,
            material="A5052",
            value_median=340_000,
            value_spread=1.0,
            is_set=True,
        ),
        RequestTemplate(
            "ちょっとした部品の追加工",
            "既製品の穴あけとタップ加工を数個だけ。",
            (("process.machining.milling", 2),),
            customer_type=PRIVATE,
            weight=5,
            material="S50C",
            value_median=14_000,
            value_spread=0.3,
        ),
        RequestTemplate(
            "マグネシウムダイカスト部品の試作",
            "マグネシウム合金のダイカスト部品を試作したい。",
            (("process.casting.die", 2),),
            weight=3,
            material="AZ91D",
            value_median=2_000_000,
        ),
    ),
    study=(
        StudyFigure("requests", "Requests a year", "200–300", 200, 300, scales=True),
        StudyFigure("conversion", "Share that become signed contracts", "about 20%", 0.15, 0.25),
        StudyFigure("order_min", "Smallest order (total)", "a little over ¥10,000", 10_000, 30_000),
        StudyFigure(
            "order_max", "Largest order (total)", "up to ¥10,000,000", 2_000_000, 10_000_000
        ),
        StudyFigure(
            "follow_on_orders", "Follow-on orders after prototypes", "customers come back", 1
        ),
        StudyFigure("skills_acquired", "Skills members acquired through orders", "some", 1),
    ),
)

RODAN21 = NetworkShape(
    slug="rodan21",
    requests_per_year=(1_030, 1_090),
    customers=620,
    value_range=(50_000, 30_000_000),
    accept_rate=0.5,
    confidential_share=0.4,
    urgent_share=0.03,
    off_hours_share=0.2,
    consultation_only_rate=0.3,
    no_team_rate=0.05,
    commercial_scope_rate=0.72,
    directory_contacts_per_year=25,
    payment_days=(20, 60),
    templates=(
        RequestTemplate(
            "介護機器の小型化についての相談",
            "施設向けの機器を家庭向けに小型化したい。構想段階なので面談で相談したい。",
            (("service.planning", 2), ("service.design.mechanical", 2)),
            kind=RFQ.Kind.CONSULTATION,
            weight=8,
            value_median=2_400_000,
        ),
        RequestTemplate(
            "ソーラー照明器具の製品化",
            "試作品はある。量産設計と販路の相談、最初のロットの製造先を探している。",
            (("service.design.industrial", 2), ("service.commercialization", 2)),
            kind=RFQ.Kind.DESIGN,
            weight=6,
            value_median=4_500_000,
        ),
        RequestTemplate(
            "新製品アイデアの試作相談",
            "アイデアを形にしたい。3Dプリンタでの試作から相談したい。",
            (("service.consultation", 1), ("process.additive.3d_printing", 2)),
            kind=RFQ.Kind.CONSULTATION,
            customer_type=PRIVATE,
            weight=9,
            value_median=600_000,
        ),
        RequestTemplate(
            "検査治具の設計と製作",
            "生産ラインの検査治具を設計から製作まで任せたい。",
            (("service.cad_cam", 2), ("process.machining.milling", 2)),
            weight=6,
            value_median=1_200_000,
        ),
        RequestTemplate(
            "電子機器筐体の設計・試作",
            "制御盤の板金筐体を設計し、試作から量産まで。",
            (("service.design.electrical", 2), ("process.sheet_metal.bending", 2)),
            kind=RFQ.Kind.DESIGN,
            weight=5,
            value_median=2_000_000,
        ),
        RequestTemplate(
            "販路開拓と量産の相談",
            "自社製品の量産先と販売先を一緒に探してほしい。",
            (("service.marketing_study", 2), ("service.sales", 2)),
            kind=RFQ.Kind.CONSULTATION,
            weight=5,
            value_median=3_000_000,
        ),
        RequestTemplate(
            "研究成果の製品化",
            "大学の研究成果を製品にしたい。設計と試作、事業化まで伴走してほしい。",
            (("service.planning", 2), ("process.assembly", 2)),
            kind=RFQ.Kind.CONSULTATION,
            customer_type=UNIVERSITY,
            weight=5,
            value_median=3_500_000,
        ),
    ),
    study=(
        StudyFigure("requests", "Requests a year", "over 1,000", 1_000, None, scales=True),
        StudyFigure(
            "commercialized", "Projects commercialized", "about 250", 200, 300, scales=True
        ),
    ),
)

MIGAKIYA = NetworkShape(
    slug="migakiya-syndicate",
    requests_per_year=(400, 440),
    customers=260,
    value_range=(5_000, 3_000_000),
    accept_rate=0.5,
    off_hours_share=0.25,
    urgent_share=0.05,
    can_do_rate=0.75,
    directory_contacts_per_year=160,
    fault_rate=0.03,
    templates=(
        RequestTemplate(
            "形見の懐中時計ケースを鏡面に",
            "祖父の形見の懐中時計のケースを、刻印を残して鏡面に戻したい。",
            (("finish.polishing.mirror", 3), ("material.brass", 2)),
            kind=RFQ.Kind.FINISHING,
            customer_type=PRIVATE,
            weight=10,
            quantity=(1, 1),
            material="真鍮",
            value_median=14_000,
            value_spread=0.4,
        ),
        RequestTemplate(
            "バイクのアルミパーツのバフ研磨",
            "旧車のエンジンカバーの腐食を落とし、バフで光らせたい。",
            (("finish.polishing.buffing", 3), ("material.aluminium", 2)),
            kind=RFQ.Kind.FINISHING,
            customer_type=PRIVATE,
            weight=10,
            quantity=(1, 4),
            material="アルミ鋳物",
            value_median=32_000,
            value_spread=0.5,
        ),
        RequestTemplate(
            "ステンレス食器の鏡面研磨（量産）",
            "ステンレス製カトラリーの鏡面研磨。複数社での分納可。",
            (("finish.polishing.mirror", 3), ("material.stainless", 3)),
            kind=RFQ.Kind.PRODUCTION,
            weight=9,
            quantity=(300, 3_000),
            material="SUS304",
            value_median=180_000,
            value_spread=0.7,
        ),
        RequestTemplate(
            "家電部品のヘアライン仕上げ",
            "家電パネルのヘアライン仕上げを量産で。",
            (("finish.polishing.hairline", 3), ("material.stainless", 2)),
            kind=RFQ.Kind.PRODUCTION,
            weight=6,
            quantity=(500, 2_000),
            material="SUS430",
            value_median=160_000,
            value_spread=0.6,
        ),
        RequestTemplate(
            "自動車部品のバレル研磨",
            "小物部品のバリ取りと光沢出しをバレル研磨で。",
            (("finish.polishing.barrel", 3),),
            kind=RFQ.Kind.PRODUCTION,
            weight=6,
            quantity=(2_000, 10_000),
            material="S45C",
            value_median=110_000,
            value_spread=0.6,
        ),
        RequestTemplate(
            "マグネシウム合金筐体の量産研磨",
            "マグネシウム合金筐体の研磨。量産工程の確立から相談したい。",
            (("finish.polishing.buffing", 3), ("material.magnesium", 3)),
            kind=RFQ.Kind.PRODUCTION,
            customer_type=UNIVERSITY,
            weight=3,
            quantity=(200, 800),
            material="AZ31",
            value_median=520_000,
            value_spread=0.5,
        ),
        RequestTemplate(
            "チタン製医療部品の鏡面研磨",
            "チタン製インプラント部品の鏡面研磨。",
            (("finish.polishing.mirror", 4), ("material.titanium", 3)),
            kind=RFQ.Kind.FINISHING,
            weight=3,
            quantity=(20, 100),
            material="Ti-6Al-4V",
            value_median=260_000,
            value_spread=0.5,
        ),
        RequestTemplate(
            "研究用試料の鏡面研磨",
            "分析用の金属試料を鏡面に仕上げてほしい。",
            (("finish.polishing.mirror", 3),),
            kind=RFQ.Kind.FINISHING,
            customer_type=UNIVERSITY,
            weight=4,
            quantity=(5, 30),
            material="各種金属",
            value_median=45_000,
            value_spread=0.5,
        ),
    ),
    study=(
        StudyFigure(
            "to_members",
            "Paid through the office to members in the year",
            "about ¥25,000,000",
            21_000_000,
            29_000_000,
            scales=True,
        ),
        StudyFigure(
            "directory_contacts",
            "Customers who contacted members directly",
            "many (not counted in the ¥25M)",
            1,
        ),
    ),
)

OTA = NetworkShape(
    slug="ota-skill-coordinators",
    requests_per_year=(200, 230),
    customers=130,
    value_range=(30_000, 9_000_000),
    accept_rate=0.75,
    urgent_share=0.1,
    group_reluctance=0.15,
    directory_contacts_per_year=40,
    templates=(
        RequestTemplate(
            "精密金型入れ子の試作",
            "コネクタ成形用金型の入れ子。ワイヤーカット後に研削仕上げ。",
            (("process.mold_making", 3), ("process.edm.wire", 3)),
            weight=6,
            quantity=(2, 8),
            material="SKD11",
            value_median=650_000,
        ),
        RequestTemplate(
            "研究用真空チャンバーの製作",
            "小型真空チャンバー。TIG溶接とフランジ加工、リーク試験成績書付き。",
            (("process.welding.tig", 3), ("process.machining.milling", 3)),
            customer_type=UNIVERSITY,
            weight=4,
            material="SUS304",
            value_median=1_100_000,
        ),
        RequestTemplate(
            "旋削シャフトの量産",
            "モータシャフトの旋削と熱処理を量産で。",
            (("process.machining.turning", 3), ("process.heat_treatment", 2)),
            kind=RFQ.Kind.PRODUCTION,
            weight=8,
            quantity=(200, 2_000),
            material="S45C",
            value_median=800_000,
        ),
        RequestTemplate(
            "板金カバーの試作",
            "装置カバーの板金試作と塗装。",
            (("process.sheet_metal.bending", 3),),
            weight=6,
            quantity=(2, 10),
            material="SPCC",
            value_median=240_000,
        ),
        RequestTemplate(
            "樹脂成形品の試作",
            "筐体部品の射出成形試作。簡易型から。",
            (("process.resin.injection_molding", 2),),
            weight=5,
            quantity=(50, 500),
            material="ABS",
            value_median=900_000,
        ),
        RequestTemplate(
            "研削プレートの追加工",
            "焼入れ済みプレートの平面研削。",
            (("process.machining.grinding", 3), ("process.heat_treatment", 2)),
            kind=RFQ.Kind.PRODUCTION,
            weight=6,
            quantity=(10, 100),
            material="SKD11",
            value_median=300_000,
        ),
        RequestTemplate(
            "ドローン用ブラケットの試作",
            "軽量化したモータブラケットを10個。",
            (("process.machining.milling", 3), ("material.aluminium", 3)),
            weight=7,
            quantity=(5, 20),
            material="A7075",
            value_median=380_000,
        ),
    ),
    study=(
        StudyFigure("groups_winning", "Groups that win orders", "the four groups compete", 4, 4),
        StudyFigure(
            "largest_group_share",
            "Largest group's share of the wins",
            "competition, not one winner",
            None,
            0.6,
        ),
    ),
)

SHAPES: dict[str, NetworkShape] = {shape.slug: shape for shape in (KYOTO, RODAN21, MIGAKIYA, OTA)}
