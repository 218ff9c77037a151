"""The bilingual capability taxonomy and the Tsubame polishing technology standards, as data.

A node's code is stable (firms' profiles, requests and integrations refer to it); its first
segment is its kind, and its parent is the code without the last segment. Keywords are
comma-separated words and phrases in either language that suggest the node in a request's
text.
"""

# Japanese text is written with full-width brackets, as Japanese readers expect.
# ruff: noqa: RUF001

from dataclasses import dataclass


@dataclass(frozen=True)
class TaxonomyNode:
    """One capability of the taxonomy."""

    code: str
    name_ja: str
    name_en: str
    keywords: str = ""

    @property
    def kind(self) -> str:
        return self.code.split(".", 1)[0]

    @property
    def parent_code(self) -> str | None:
        return self.code.rsplit(".", 1)[0] if "." in self.code else None

    @property
    def depth(self) -> int:
        return self.code.count(".")


# Parents come before their children, so the list can be written top-down in one pass.
TAXONOMY: tuple[TaxonomyNode, ...] = (
    # Processes
    TaxonomyNode("process", "加工", "Processes", "加工, 工程, processing, process"),
    TaxonomyNode(
        "process.machining",
        "機械加工",
        "Machining",
        "機械加工, 切削, 削り出し, NC加工, machining, cutting, CNC",
    ),
    TaxonomyNode(
        "process.machining.milling",
        "フライス加工",
        "Milling",
        "フライス, マシニング, ミーリング, エンドミル, milling, machining centre, end mill",
    ),
    TaxonomyNode(
        "process.machining.turning",
        "旋盤加工",
        "Turning",
        "旋盤, 旋削, 丸物, シャフト, turning, lathe, shaft, round parts",
    ),
    TaxonomyNode(
        "process.machining.five_axis",
        "5軸加工",
        "5-axis machining",
        "5軸, 同時5軸, 複雑形状, インペラ, 5-axis, five-axis, impeller, complex shape",
    ),
    TaxonomyNode(
        "process.machining.grinding",
        "研削加工",
        "Grinding",
        "研削, 平面研削, 円筒研削, 精密研削, grinding, surface grinding, cylindrical grinding",
    ),
    TaxonomyNode(
        "process.machining.micro",
        "微細加工",
        "Micro machining",
        "微細加工, 微細穴, マイクロ, micro machining, micro hole, miniature",
    ),
    TaxonomyNode(
        "process.edm",
        "放電加工",
        "Electrical discharge machining",
        "放電加工, 放電, EDM, electrical discharge",
    ),
    TaxonomyNode(
        "process.edm.wire",
        "ワイヤー放電加工",
        "Wire EDM",
        "ワイヤーカット, ワイヤー放電, wire EDM, wire cut, wire erosion",
    ),
    TaxonomyNode(
        "process.edm.sinker",
        "形彫り放電加工",
        "Sinker EDM",
        "形彫り放電, 型彫り, sinker EDM, die sinking, ram EDM",
    ),
    TaxonomyNode(
        "process.mold_making",
        "金型製作",
        "Mould and die making",
        "金型, 型, プレス金型, 射出成形金型, mould, mold, die, tooling",
    ),
    TaxonomyNode(
        "process.sheet_metal",
        "板金加工",
        "Sheet metal work",
        "板金, 薄板, 筐体, カバー, sheet metal, enclosure, cover, chassis",
    ),
    TaxonomyNode(
        "process.sheet_metal.laser_cutting",
        "レーザー切断",
        "Laser cutting",
        "レーザー切断, レーザー加工, レーザーカット, laser cutting, laser cut",
    ),
    TaxonomyNode(
        "process.sheet_metal.bending",
        "曲げ加工",
        "Bending",
        "曲げ, ベンダー, プレスブレーキ, bending, press brake, folding",
    ),
    TaxonomyNode(
        "process.sheet_metal.punching",
        "タレットパンチ加工",
        "Turret punching",
        "タレットパンチ, 抜き, 穴あけ, turret punch, punching, perforation",
    ),
    TaxonomyNode(
        "process.press",
        "プレス加工",
        "Press work",
        "プレス, 量産, press, pressing, mass production",
    ),
    TaxonomyNode(
        "process.press.stamping",
        "打ち抜き・プレス成形",
        "Stamping",
        "打ち抜き, 順送, プレス成形, stamping, blanking, progressive die",
    ),
    TaxonomyNode(
        "process.press.deep_drawing",
        "深絞り加工",
        "Deep drawing",
        "深絞り, 絞り, deep drawing, drawn cup, drawing",
    ),
    TaxonomyNode("process.welding", "溶接", "Welding", "溶接, 接合, welding, joining, weld"),
    TaxonomyNode(
        "process.welding.tig",
        "TIG溶接",
        "TIG welding",
        "TIG, ティグ, アルゴン溶接, TIG welding, GTAW, argon welding",
    ),
    TaxonomyNode(
        "process.welding.laser",
        "レーザー溶接",
        "Laser welding",
        "レーザー溶接, 微細溶接, laser welding, fine welding",
    ),
    TaxonomyNode(
        "process.welding.spot",
        "スポット溶接",
        "Spot welding",
        "スポット溶接, 抵抗溶接, spot welding, resistance welding",
    ),
    TaxonomyNode("process.casting", "鋳造", "Casting", "鋳造, 鋳物, casting, cast"),
    TaxonomyNode(
        "process.casting.die",
        "ダイカスト",
        "Die casting",
        "ダイカスト, アルミダイカスト, die casting, diecast",
    ),
    TaxonomyNode(
        "process.casting.sand",
        "砂型鋳造",
        "Sand casting",
        "砂型, 砂型鋳造, 鋳鉄, sand casting, cast iron",
    ),
    TaxonomyNode("process.forging", "鍛造", "Forging", "鍛造, 熱間鍛造, 冷間鍛造, forging, forged"),
    TaxonomyNode(
        "process.resin",
        "樹脂加工",
        "Resin processing",
        "樹脂, プラスチック, 成形, resin, plastic, polymer",
    ),
    TaxonomyNode(
        "process.resin.injection_molding",
        "射出成形",
        "Injection moulding",
        "射出成形, インジェクション, 成形品, injection moulding, injection molding",
    ),
    TaxonomyNode(
        "process.resin.machining",
        "樹脂切削加工",
        "Resin machining",
        "樹脂切削, 樹脂加工, プラスチック切削, resin machining, plastic machining",
    ),
    TaxonomyNode(
        "process.additive",
        "積層造形",
        "Additive manufacturing",
        "積層造形, 付加製造, additive manufacturing, AM",
    ),
    TaxonomyNode(
        "process.additive.3d_printing",
        "3Dプリント",
        "3D printing",
        "3Dプリンタ, 3Dプリント, 光造形, 造形, 3D printing, 3D printer, SLA, SLS",
    ),
    TaxonomyNode(
        "process.assembly",
        "組立",
        "Assembly",
        "組立, 組み立て, ユニット組立, 配線, assembly, unit assembly, wiring",
    ),
    TaxonomyNode(
        "process.heat_treatment",
        "熱処理",
        "Heat treatment",
        "熱処理, 焼入れ, 焼戻し, 窒化, 浸炭, heat treatment, hardening, nitriding",
    ),
    TaxonomyNode(
        "process.plating",
        "めっき",
        "Plating",
        "めっき, メッキ, 無電解ニッケル, クロムめっき, plating, electroless nickel, chrome",
    ),
    TaxonomyNode(
        "process.inspection",
        "測定・検査",
        "Measurement and inspection",
        "測定, 検査, 検査成績書, 寸法測定, inspection, measurement, inspection report",
    ),
    # Materials
    TaxonomyNode("material", "材料", "Materials", "材料, 材質, 素材, material"),
    TaxonomyNode(
        "material.aluminium",
        "アルミニウム",
        "Aluminium",
        "アルミ, アルミニウム, A5052, A6061, A7075, aluminium, aluminum",
    ),
    TaxonomyNode(
        "material.stainless",
        "ステンレス鋼",
        "Stainless steel",
        "ステンレス, SUS304, SUS316, SUS, stainless steel, stainless",
    ),
    TaxonomyNode(
        "material.titanium",
        "チタン",
        "Titanium",
        "チタン, チタン合金, 64チタン, titanium, Ti-6Al-4V",
    ),
    TaxonomyNode(
        "material.magnesium",
        "マグネシウム",
        "Magnesium",
        "マグネシウム, マグネシウム合金, AZ31, AZ91, magnesium",
    ),
    TaxonomyNode("material.copper", "銅", "Copper", "銅, 無酸素銅, C1020, copper"),
    TaxonomyNode("material.brass", "真鍮", "Brass", "真鍮, 黄銅, C3604, brass"),
    TaxonomyNode(
        "material.carbon_steel",
        "炭素鋼",
        "Carbon steel",
        "鉄, 炭素鋼, S45C, SS400, SPCC, carbon steel, mild steel, steel",
    ),
    TaxonomyNode(
        "material.tool_steel",
        "工具鋼",
        "Tool steel",
        "工具鋼, SKD11, SKD61, ハイス, tool steel, die steel, HSS",
    ),
    TaxonomyNode("material.resin", "樹脂材料", "Resins", "樹脂, プラスチック, resin, plastic"),
    TaxonomyNode("material.resin.abs", "ABS樹脂", "ABS", "ABS, ABS樹脂, abs resin"),
    TaxonomyNode(
        "material.resin.peek",
        "PEEK",
        "PEEK",
        "PEEK, ピーク, スーパーエンプラ, polyether ether ketone, super engineering plastic",
    ),
    TaxonomyNode(
        "material.resin.pom",
        "POM（ポリアセタール）",
        "POM (acetal)",
        "POM, ジュラコン, ポリアセタール, acetal, polyacetal, Delrin",
    ),
    TaxonomyNode(
        "material.resin.pc",
        "ポリカーボネート",
        "Polycarbonate",
        "ポリカーボネート, PC, 透明樹脂, polycarbonate, clear plastic",
    ),
    # Finishes
    TaxonomyNode("finish", "表面仕上げ", "Finishes", "仕上げ, 表面処理, finish, surface finish"),
    TaxonomyNode(
        "finish.polishing",
        "研磨",
        "Polishing",
        "研磨, 磨き, ポリッシュ, polishing, polish",
    ),
    TaxonomyNode(
        "finish.polishing.mirror",
        "鏡面研磨",
        "Mirror polishing",
        "鏡面, 鏡面仕上げ, ミラー, 光沢, mirror polishing, mirror finish, high gloss",
    ),
    TaxonomyNode(
        "finish.polishing.hairline",
        "ヘアライン仕上げ",
        "Hairline finish",
        "ヘアライン, HL, 筋目, hairline, brushed finish",
    ),
    TaxonomyNode(
        "finish.polishing.buffing",
        "バフ研磨",
        "Buffing",
        "バフ, バフ研磨, 手磨き, buffing, buff polishing",
    ),
    TaxonomyNode(
        "finish.polishing.barrel",
        "バレル研磨",
        "Barrel polishing",
        "バレル, バリ取り, 量産研磨, barrel polishing, tumbling, deburring",
    ),
    TaxonomyNode(
        "finish.polishing.satin",
        "サテン仕上げ",
        "Satin finish",
        "サテン, つや消し, 梨地, satin finish, matte",
    ),
    TaxonomyNode(
        "finish.electropolishing",
        "電解研磨",
        "Electropolishing",
        "電解研磨, 電解, 半導体部品, electropolishing, electrolytic polishing",
    ),
    TaxonomyNode(
        "finish.anodizing",
        "アルマイト処理",
        "Anodizing",
        "アルマイト, 陽極酸化, 硬質アルマイト, anodizing, anodising, hard anodize",
    ),
    TaxonomyNode(
        "finish.painting",
        "塗装",
        "Painting",
        "塗装, 焼付塗装, 粉体塗装, painting, powder coating, coating",
    ),
    TaxonomyNode(
        "finish.blasting",
        "ブラスト処理",
        "Blasting",
        "ブラスト, ショットブラスト, サンドブラスト, blasting, shot blasting, sandblasting",
    ),
    # Equipment
    TaxonomyNode("equipment", "設備", "Equipment", "設備, 機械, equipment, machine"),
    TaxonomyNode(
        "equipment.machining_centre",
        "マシニングセンタ",
        "Machining centre",
        "マシニングセンタ, MC, 立形, 横形, machining centre, machining center, VMC",
    ),
    TaxonomyNode(
        "equipment.machining_centre.five_axis",
        "5軸マシニングセンタ",
        "5-axis machining centre",
        "5軸マシニングセンタ, 5軸MC, 5-axis machining centre, 5-axis machining center",
    ),
    TaxonomyNode(
        "equipment.cnc_lathe",
        "CNC旋盤",
        "CNC lathe",
        "NC旋盤, CNC旋盤, 複合旋盤, CNC lathe, turning centre, mill-turn",
    ),
    TaxonomyNode(
        "equipment.wire_edm",
        "ワイヤー放電加工機",
        "Wire EDM machine",
        "ワイヤー放電加工機, ワイヤーカット機, wire EDM machine",
    ),
    TaxonomyNode(
        "equipment.fiber_laser",
        "ファイバーレーザー加工機",
        "Fibre laser cutter",
        "ファイバーレーザー, レーザー加工機, fibre laser, fiber laser",
    ),
    TaxonomyNode(
        "equipment.press_brake",
        "プレスブレーキ",
        "Press brake",
        "プレスブレーキ, ベンディングマシン, press brake, bending machine",
    ),
    TaxonomyNode(
        "equipment.injection_molding_machine",
        "射出成形機",
        "Injection moulding machine",
        "射出成形機, 成形機, injection moulding machine, injection molding machine",
    ),
    TaxonomyNode(
        "equipment.metal_3d_printer",
        "金属3Dプリンタ",
        "Metal 3D printer",
        "金属3Dプリンタ, 金属積層, metal 3D printer, SLM, powder bed",
    ),
    TaxonomyNode(
        "equipment.cmm",
        "三次元測定機",
        "Coordinate measuring machine",
        "三次元測定機, CMM, 3次元測定, coordinate measuring machine",
    ),
    TaxonomyNode(
        "equipment.roughness_tester",
        "表面粗さ測定機",
        "Surface roughness tester",
        "表面粗さ, 粗さ計, Ra, surface roughness tester, profilometer",
    ),
    # Certifications
    TaxonomyNode(
        "cert", "認証・資格", "Certifications", "認証, 資格, 取得, certification, certified"
    ),
    TaxonomyNode(
        "cert.iso9001",
        "ISO 9001（品質マネジメント）",
        "ISO 9001 (quality management)",
        "ISO9001, ISO 9001, 品質マネジメント, quality management",
    ),
    TaxonomyNode(
        "cert.iso14001",
        "ISO 14001（環境マネジメント）",
        "ISO 14001 (environmental management)",
        "ISO14001, ISO 14001, 環境マネジメント, environmental management",
    ),
    TaxonomyNode(
        "cert.jisq9100",
        "JIS Q 9100（航空宇宙）",
        "JIS Q 9100 (aerospace)",
        "JISQ9100, JIS Q 9100, AS9100, 航空宇宙, aerospace",
    ),
    TaxonomyNode(
        "cert.iso13485",
        "ISO 13485（医療機器）",
        "ISO 13485 (medical devices)",
        "ISO13485, ISO 13485, 医療機器, medical device",
    ),
    TaxonomyNode(
        "cert.polishing_technician",
        "金属研磨仕上げ技能士",
        "Certified metal polishing technician",
        "技能士, 金属研磨仕上げ, 一級技能士, certified polishing technician, skilled polisher",
    ),
    # Services
    TaxonomyNode("service", "サービス", "Services", "サービス, 支援, service, support"),
    TaxonomyNode(
        "service.consultation",
        "技術相談",
        "Technical consultation",
        "相談, 技術相談, 無料相談, consultation, advice, free consultation",
    ),
    TaxonomyNode(
        "service.planning",
        "商品企画",
        "Product planning",
        "企画, 商品企画, アイデア, 構想, product planning, concept, idea",
    ),
    TaxonomyNode(
        "service.design",
        "設計",
        "Design",
        "設計, 図面作成, 再設計, 改良, design, drawing, redesign",
    ),
    TaxonomyNode(
        "service.design.mechanical",
        "機械設計",
        "Mechanical design",
        "機械設計, 機構設計, 治具設計, mechanical design, mechanism, jig design",
    ),
    TaxonomyNode(
        "service.design.industrial",
        "工業デザイン",
        "Industrial design",
        "工業デザイン, 意匠, プロダクトデザイン, industrial design, product design, styling",
    ),
    TaxonomyNode(
        "service.design.electrical",
        "電気・制御設計",
        "Electrical and control design",
        "電気設計, 制御, 回路, 基板, electrical design, control, circuit, PCB",
    ),
    TaxonomyNode(
        "service.cad_cam",
        "CAD/CAM",
        "CAD/CAM",
        "CAD, CAM, 3Dデータ, モデリング, STEP, CAD data, 3D model, CAM programming",
    ),
    TaxonomyNode(
        "service.marketing_study",
        "市場調査",
        "Marketing study",
        "市場調査, マーケティング, 販路, marketing study, market research",
    ),
    TaxonomyNode(
        "service.patent",
        "特許・知財",
        "Patents and IP",
        "特許, 知財, 出願, 意匠登録, patent, intellectual property, IP",
    ),
    TaxonomyNode(
        "service.commercialization",
        "事業化・製品化",
        "Commercialization",
        "事業化, 製品化, 量産化, commercialization, commercialisation, product launch",
    ),
    TaxonomyNode(
        "service.sales",
        "販売",
        "Sales",
        "販売, 営業, 代理店, 販路開拓, sales, distribution, reseller",
    ),
    TaxonomyNode(
        "service.software",
        "組込みソフトウェア",
        "Embedded software",
        "ソフトウェア, 組込み, ファームウェア, embedded software, firmware",
    ),
)


@dataclass(frozen=True)
class GradeDefinition:
    """One grade of a quality standard."""

    rank: int
    code: str
    name_ja: str
    name_en: str
    criteria: str


@dataclass(frozen=True)
class QualityStandardDefinition:
    """A graded quality standard, the networks that use it and the capabilities it grades."""

    code: str
    name_ja: str
    name_en: str
    issuer: str
    network_slugs: tuple[str, ...]
    capability_prefix: str
    grades: tuple[GradeDefinition, ...]

    def grades_capability(self, code: str) -> bool:
        return code.startswith(self.capability_prefix + ".")


POLISHING_STANDARDS = QualityStandardDefinition(
    code="tsubame-polishing-standards",
    name_ja="研磨技術基準",
    name_en="Polishing technology standards",
    issuer="燕研磨工業会 Tsubame Polishing Industry Association",
    network_slugs=("migakiya-syndicate",),
    capability_prefix="finish.polishing",
    grades=(
        GradeDefinition(
            1,
            "basic",
            "基礎（下地研磨）",
            "Basic (ground finish)",
            "Ra 0.8 µm 以下。下地研磨の目が均一で、深い傷・打痕がないこと。\n"
            "Ra ≤ 0.8 µm; even grinding pattern, no deep scratches or dents.",
        ),
        GradeDefinition(
            2,
            "standard",
            "標準",
            "Standard",
            "Ra 0.4 µm 以下。30 cm の距離で目視できる傷がないこと。\n"
            "Ra ≤ 0.4 µm; no scratch visible at 30 cm.",
        ),
        GradeDefinition(
            3,
            "precision",
            "精密",
            "Precision",
            "Ra 0.1 µm 以下。エッジのだれ 0.05 mm 以内、ロット内で仕上げが揃うこと。\n"
            "Ra ≤ 0.1 µm; edge rounding within 0.05 mm; consistent across a lot.",
        ),
        GradeDefinition(
            4,
            "mirror",
            "鏡面",
            "Mirror",
            "Ra 0.05 µm 以下。映り込みに歪み・くもりがないこと。\n"
            "Ra ≤ 0.05 µm; reflection free of distortion and haze.",
        ),
        GradeDefinition(
            5,
            "super-mirror",
            "超鏡面",
            "Super mirror",
            "Ra 0.02 µm 以下。10 倍ルーペで欠陥なし。半導体製造装置部品に対応。\n"
            "Ra ≤ 0.02 µm; no defect under a 10× loupe; fit for semiconductor equipment parts.",
        ),
    ),
)

QUALITY_STANDARDS: tuple[QualityStandardDefinition, ...] = (POLISHING_STANDARDS,)
