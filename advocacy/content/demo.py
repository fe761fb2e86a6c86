"""The demo content library: campaigns and 30+ French and English posts with images drawn by Pillow
(nothing fetched), their renditions made at seed time. Idempotent: skipped once the campaigns exist."""

from __future__ import annotations

import asyncio
import io
import random
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import msgspec
from PIL import Image, ImageDraw

from advocacy.db.pool import Database
from advocacy.people import service as people
from content_library.campaigns import service as campaign_service
from content_library.campaigns.schemas import CampaignCreate
from content_library.images import service as images
from content_library.images.ingest import ingest
from content_library.images.schemas import ImageUpdate
from content_library.images.storage import Storage, new_key
from content_library.items import service as items
from content_library.items.schemas import ItemCreate, TransitionIn

CAMPAIGNS = [
    ("rentree-2026", "Rentrée 2026", "Nos nouveautés de la rentrée / What's new this autumn", 1.5),
    ("recrutement", "Nous recrutons / We're hiring", "Faire connaître nos offres d'emploi", 2.0),
    ("rse", "Engagement RSE / Sustainability", "Nos actions pour le climat et l'inclusion", 1.0),
    ("salon-vivatech", "VivaTech", "Notre présence au salon", 1.2),
]

TOPICS = [
    ("rentree-2026", "Notre nouvelle application mobile", "Our new mobile app", ["produit", "mobile"]),
    ("rentree-2026", "Un tableau de bord repensé", "A redesigned dashboard", ["produit"]),
    ("rentree-2026", "Trois clients témoignent", "Three customers tell their story", ["clients"]),
    ("rentree-2026", "Webinaire : les nouveautés d'octobre", "Webinar: what's new in October", ["webinaire"]),
    ("rentree-2026", "La sécurité au cœur du produit", "Security at the heart of the product", ["sécurité"]),
    ("rentree-2026", "Nos équipes support primées", "Our support team wins an award", ["service"]),
    (
        "rentree-2026",
        "Une API ouverte pour nos partenaires",
        "An open API for our partners",
        ["produit", "api"],
    ),
    ("rentree-2026", "Le guide de démarrage rapide", "The quick-start guide", ["guide"]),
    ("recrutement", "Nous recrutons 40 ingénieurs", "We're hiring 40 engineers", ["emploi", "tech"]),
    (
        "recrutement",
        "Une journée avec notre équipe design",
        "A day with our design team",
        ["emploi", "design"],
    ),
    ("recrutement", "Alternance : candidatures ouvertes", "Apprenticeships: applications open", ["emploi"]),
    ("recrutement", "Nos bureaux de Lyon s'agrandissent", "Our Lyon office is growing", ["emploi", "lyon"]),
    ("recrutement", "Portrait : Léa, développeuse", "Meet Léa, developer", ["portrait"]),
    ("recrutement", "Le télétravail chez nous", "Remote work at our company", ["emploi"]),
    ("recrutement", "Stages d'été : postulez", "Summer internships: apply now", ["emploi"]),
    ("recrutement", "Cooptation : parlez-en autour de vous", "Referrals: spread the word", ["emploi"]),
    ("rse", "Bilan carbone : −18 % en un an", "Carbon footprint: −18% in a year", ["climat"]),
    ("rse", "Journée solidaire avec les Restos du Cœur", "Volunteering day with a food bank", ["solidarité"]),
    ("rse", "Index égalité femmes-hommes : 94/100", "Gender equality index: 94/100", ["inclusion"]),
    ("rse", "Des vélos pour venir au bureau", "Bikes to get to the office", ["mobilité"]),
    ("rse", "Nos serveurs passent à l'énergie verte", "Our servers switch to green energy", ["climat"]),
    ("rse", "Mécénat de compétences", "Skills-based volunteering", ["solidarité"]),
    ("rse", "Handicap : nos engagements", "Disability inclusion: our commitments", ["inclusion"]),
    ("rse", "Zéro plastique à la cafétéria", "Zero plastic in the cafeteria", ["climat"]),
    ("salon-vivatech", "Retrouvez-nous au stand B42", "Meet us at booth B42", ["événement"]),
    ("salon-vivatech", "Démonstrations en direct", "Live demos", ["événement", "produit"]),
    ("salon-vivatech", "Conférence de notre CTO", "Our CTO's keynote", ["événement"]),
    ("salon-vivatech", "Les coulisses du salon", "Behind the scenes", ["événement"]),
    ("salon-vivatech", "Merci pour vos visites !", "Thanks for visiting!", ["événement"]),
    ("salon-vivatech", "Le replay est en ligne", "The replay is online", ["événement", "vidéo"]),
    ("rentree-2026", "Notre podcast fête son 50e épisode", "Our podcast's 50th episode", ["podcast"]),
    ("rse", "Forêt d'entreprise : 2 000 arbres plantés", "Company forest: 2,000 trees planted", ["climat"]),
]

PALETTES = [
    ((25, 70, 140), (240, 170, 40)),
    ((20, 120, 90), (250, 240, 220)),
    ((150, 30, 60), (255, 210, 200)),
    ((60, 40, 120), (120, 220, 230)),
    ((230, 90, 40), (40, 40, 40)),
]


def draw_image(seed: int) -> bytes:
    """A 1600×1000 illustration: a gradient with shapes, different for every seed."""
    rng = random.Random(seed)
    base, accent = PALETTES[seed % len(PALETTES)]
    image = Image.new("RGB", (1600, 1000), base)
    draw = ImageDraw.Draw(image)
    for y in range(0, 1000, 4):
        t = y / 1000
        colour = tuple(int(b * (1 - t) + a * t * 0.6) for b, a in zip(base, accent, strict=True))
        draw.rectangle((0, y, 1600, y + 4), fill=colour)
    for _ in range(12):
        x, y, r = rng.randint(0, 1600), rng.randint(0, 1000), rng.randint(40, 260)
        shade = tuple(min(255, c + rng.randint(-40, 40)) for c in accent)
        if rng.random() < 0.5:
            draw.ellipse((x - r, y - r, x + r, y + r), fill=shade)
        else:
            draw.rectangle((x - r, y - r // 2, x + r, y + r // 2), fill=shade)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88)
    return out.getvalue()


def demo_items(campaigns: dict[str, UUID], now: datetime) -> list[ItemCreate]:
    """The demo posts, each with captions that pass the demo charter: Nordlys's own links, and the
    disclosure the charter asks of employees (#collaborateur, #employee)."""
    items = []
    for index, (campaign, title_fr, title_en, tags) in enumerate(TOPICS):
        items.append(
            msgspec.convert(
                {
                    "title": title_fr,
                    "summary": title_en,
                    "link": f"https://www.nordlys.example/blog/{index + 1}",
                    "campaign": str(campaigns[campaign]),
                    "captions": [
                        {
                            "language": "fr",
                            "body": f"{title_fr} 👉 Découvrez-en plus sur le blog de Nordlys. #collaborateur",
                        },
                        {"language": "en", "body": f"{title_en} 👉 Read more on Nordlys's blog. #employee"},
                        {"language": "fr", "network": "x", "body": f"{title_fr} #{tags[0]} #collaborateur"},
                        {"language": "en", "network": "x", "body": f"{title_en} #{tags[0]} #employee"},
                    ],
                    "tags": tags,
                    "hashtags": [tags[0].replace("é", "e")],
                    "pinned": index == 0,
                    "caption_policy": ["editable", "locked", "free"][index % 3],
                    "starts_at": (now - timedelta(days=len(TOPICS) - index)).isoformat(),
                    "expires_at": (now + timedelta(days=60)).isoformat() if index % 7 else None,
                },
                ItemCreate,
            )
        )
    return items


async def _noop_enqueue(*_: Any, **__: Any) -> None:
    """Demo renditions are made at once below, so no job is queued."""


CURATOR = "claire.curator@demo.example"
REVIEWER = "remi.reviewer@demo.example"


async def seed_demo_library(db: Database, storage: Storage) -> int:
    """Create the demo library unless it exists; returns how many posts were created."""
    async with db.connection() as conn:
        if await campaign_service.campaign_key(conn, slug=CAMPAIGNS[0][0]) is not None:
            return 0
        staff = await people.people_by_email(conn, [CURATOR, REVIEWER])
    # the demo's people are seeded before its library (advocacy/demo.py)
    curator_id, reviewer_id = staff[CURATOR].id, staff[REVIEWER].id
    now = datetime.now(UTC)
    campaigns = {}
    for slug, name, description, multiplier in CAMPAIGNS:
        made = await campaign_service.create_campaign(
            db,
            CampaignCreate(
                slug=slug,
                name=name,
                description=description,
                points_multiplier=multiplier,
                starts_at=now - timedelta(days=30),
                ends_at=now + timedelta(days=90),
            ),
            actor_id=curator_id,
        )
        campaigns[slug] = made.id
    created = 0
    for index, body in enumerate(demo_items(campaigns, now)):
        title_fr, title_en = TOPICS[index][1], TOPICS[index][2]
        item = await items.create_item(db, body, actor_id=curator_id, teams=people.team_ids, storage=storage)
        if index % 4 != 3:  # most posts have an image
            raw = await asyncio.to_thread(draw_image, index)
            image = await asyncio.to_thread(ingest, raw, max_pixels=50_000_000)
            key = new_key("images", image.image_type.extension)
            await storage.put(key, image.data, image.mime)
            async with db.transaction() as conn:
                row = await items.existing_row(conn, item.id)
                asset = await images.insert_asset(
                    conn,
                    storage,
                    image,
                    key,
                    item_id=row.id,
                    suggestion_id=None,
                    actor_id=curator_id,
                    enqueue=_noop_enqueue,
                )
                await images.make_asset_renditions(conn, storage, asset.id, max_pixels=50_000_000)
            await images.update_image(
                db,
                storage,
                item.id,
                asset.public_id,
                ImageUpdate(alt_text={"fr": f"Illustration : {title_fr}", "en": f"Illustration: {title_en}"}),
                roles={"curator"},
                enqueue=_noop_enqueue,
            )
        if index < len(TOPICS) - 3:  # the last three stay in the workflow for the curators to see
            await items.transition(
                db, item.id, TransitionIn(to="in_review"), actor_id=curator_id, roles={"curator"}
            )
            await items.transition(
                db, item.id, TransitionIn(to="approved"), actor_id=reviewer_id, roles={"reviewer"}
            )
        elif index == len(TOPICS) - 1:
            await items.transition(
                db, item.id, TransitionIn(to="in_review"), actor_id=curator_id, roles={"curator"}
            )
        created += 1
    return created
