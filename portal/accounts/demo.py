"""Demo customer accounts, Chinese and English, managed by the demo account managers."""

import sqlalchemy as sa

from portal.accounts import service
from portal.auth.models import Department, User
from portal.extensions import db

# name, industry, region, tier, status, description; crm_ref is CRM-1000n in order.
# Kept as a table: one field a line would hide the data.
# fmt: off
ACCOUNTS = [
    ("华信银行", "Banking", "East China", "strategic", "active",
     "全国性股份制银行，核心系统与客服中心均由我们支持。"),
    ("东方航空物流", "Logistics", "East China", "strategic", "active",
     "航空货运与冷链物流，旺季前需要提前扩容。"),
    ("上海明德医疗", "Healthcare", "East China", "key", "at_risk",
     "私立医院集团；去年两次系统故障后满意度下降。"),
    ("ACME Manufacturing", "Manufacturing", "North America", "strategic", "active",
     "Global maker of industrial tools; three plants on our platform."),
    ("Northwind Retail", "Retail", "Europe", "key", "active",
     "Grocery chain with 400 stores; strong loyalty programme."),
    ("招远矿业集团", "Mining", "North China", "standard", "active",
     "黄金开采与冶炼，偏好现场技术支持。"),
    ("深圳前海科技", "Software", "South China", "key", "prospect",
     "金融科技公司，正在评估我们的客服平台。"),
    ("广州恒达汽车零部件", "Automotive", "South China", "standard", "active",
     "为多家整车厂供货的零部件企业。"),
    ("成都天府软件园", "Software", "Southwest China", "small", "prospect",
     "园区运营方，对联合举办活动感兴趣。"),
    ("北京万通保险", "Insurance", "North China", "key", "active",
     "财产险公司，理赔流程是合作重点。"),
    ("杭州云栖电商", "Retail", "East China", "standard", "churned",
     "去年转向自建系统，仍保持良好关系。"),
    ("Contoso Pharmaceuticals", "Healthcare", "Europe", "key", "active",
     "Generic drug maker; strict validation and audit requirements."),
    ("Fabrikam Energy", "Energy", "Europe", "strategic", "at_risk",
     "Utility in the middle of a merger; the new IT board is reviewing vendors."),
    ("Globex Logistics", "Logistics", "Southeast Asia", "standard", "active",
     "Regional freight forwarder based in Singapore."),
    ("Initech Software", "Software", "North America", "small", "churned",
     "Left after the acquisition; the champion moved to ACME."),
    ("南京金陵制药", "Healthcare", "East China", "standard", "active",
     "中成药生产企业，关注GMP合规。"),
    ("武汉长江钢铁", "Manufacturing", "Central China", "key", "active",
     "大型钢铁企业，设备维护工单量大。"),
    ("西安秦川电力", "Energy", "Northwest China", "standard", "prospect",
     "省级电网下属企业，正在招标。"),
    ("苏州工业园区物流", "Logistics", "East China", "small", "active",
     "园区内的仓储服务商。"),
    ("Tailspin Airlines", "Transport", "Southeast Asia", "key", "at_risk",
     "Low-cost carrier; contract renewal due next quarter."),
    ("Wide World Importers", "Retail", "North America", "standard", "active",
     "Importer of home goods; seasonal peaks before the holidays."),
    ("香港瑞丰贸易", "Trading", "Hong Kong", "key", "active",
     "进出口贸易公司，沟通使用粤语和英语。"),
    ("青岛海润食品", "Food", "North China", "standard", "active",
     "海产品加工与出口。"),
    ("华通电信设备", "Telecom", "North China", "strategic", "active",
     "通信设备制造商，全球售后服务网络。"),
    ("厦门鹭岛航运", "Logistics", "South China", "standard", "active",
     "近海航运公司。"),
    ("Adventure Works Cycles", "Manufacturing", "Europe", "small", "active",
     "Bicycle maker with a small but loyal dealer network."),
    ("Litware Education", "Education", "North America", "small", "prospect",
     "Online course provider; asked for a trial."),
    ("Proseware Insurance", "Insurance", "Europe", "standard", "churned",
     "Moved to a competitor on price."),
    ("大连星海船舶", "Manufacturing", "Northeast China", "key", "active",
     "船舶制造，项目周期长，决策链复杂。"),
    ("重庆山城汽车", "Automotive", "Southwest China", "standard", "at_risk",
     "新任采购负责人对现有合同有疑虑。"),
    ("天津滨海化工", "Chemicals", "North China", "standard", "active",
     "化工企业，安全生产要求高。"),
    ("宁波港联物流", "Logistics", "East China", "key", "active",
     "港口集装箱物流，业务量稳定增长。"),
    ("长沙湘江教育集团", "Education", "Central China", "small", "active",
     "民办学校集团。"),
    ("Margie's Travel", "Travel", "North America", "small", "prospect",
     "Travel agency chain exploring a chat channel."),
    ("Coho Winery", "Food", "Europe", "small", "active",
     "Family winery; orders through distributors."),
    ("昆明春城旅游", "Travel", "Southwest China", "small", "churned",
     "疫情期间暂停合作。"),
    ("福州闽信银行", "Banking", "South China", "key", "active",
     "城市商业银行，手机银行客服是合作重点。"),
    ("Alpine Ski House", "Retail", "Europe", "small", "prospect",
     "Ski resort shops; winter season only."),
    ("Woodgrove Bank", "Banking", "North America", "strategic", "active",
     "Retail bank; our largest contract in North America."),
    ("合肥量子电子", "Electronics", "East China", "standard", "prospect",
     "电子元器件企业，技术团队已试用产品。"),
]
# fmt: on


def seed(rng) -> str:
    managers = _account_managers()
    created = updated = 0
    for number, (name, industry, region, tier, status, description) in enumerate(
        ACCOUNTS, start=10001
    ):
        # Draw for every account, so that a second run draws the same managers.
        manager = rng.choice(managers) if managers else None
        if tier == "small" and rng.random() < 0.4:
            manager = None  # small accounts are often nobody's in particular
        fields = {
            "name": name,
            "industry": industry,
            "region": region,
            "tier": tier,
            "status": status,
            "description": description,
            "account_manager": manager,
        }
        _, was_created, changed = service.upsert_by_ref(f"CRM-{number}", fields)
        created += was_created
        updated += bool(changed) and not was_created
    return (
        f"{created} accounts created, {updated} updated ({len(ACCOUNTS)} in the demo)"
    )


def _account_managers() -> list[User]:
    """Return the active demo users who manage accounts, in a stable order."""
    return list(
        db.session.scalars(
            sa.select(User)
            .outerjoin(Department, User.department_id == Department.id)
            .where(
                User.active.is_(True),
                User.left_at.is_(None),
                sa.or_(
                    User.job_title.ilike("%account%"),
                    sa.and_(User.role == "employee", Department.name == "Key Accounts"),
                ),
            )
            .order_by(User.username)
        )
    )
