"""DigComp 2.2: the five areas and 21 competences the DigiLab curriculum follows.

Copied from ``reference/digcomp-2.2.json`` so that the domain never reads a file.
The French titles are working translations for the staff interface.
"""

import msgspec

from domain.errors import InvalidValueError

LOWEST_LEVEL = 1
HIGHEST_LEVEL = 8


class Area(msgspec.Struct, frozen=True):
    code: str
    title: str
    title_fr: str


class Competence(msgspec.Struct, frozen=True):
    code: str
    area_code: str
    title: str
    title_fr: str


AREAS: tuple[Area, ...] = (
    Area("1", "Information and data literacy", "Maîtrise de l'information et des données"),
    Area("2", "Communication and collaboration", "Communication et collaboration"),
    Area("3", "Digital content creation", "Création de contenus numériques"),
    Area("4", "Safety", "Sécurité"),
    Area("5", "Problem solving", "Résolution de problèmes"),
)

COMPETENCES: tuple[Competence, ...] = (
    Competence(
        "1.1",
        "1",
        "Browsing, searching and filtering data, information and digital content",
        "Naviguer, rechercher et filtrer des données, des informations et des contenus numériques",
    ),
    Competence(
        "1.2",
        "1",
        "Evaluating data, information and digital content",
        "Évaluer des données, des informations et des contenus numériques",
    ),
    Competence(
        "1.3",
        "1",
        "Managing data, information and digital content",
        "Gérer des données, des informations et des contenus numériques",
    ),
    Competence(
        "2.1",
        "2",
        "Interacting through digital technologies",
        "Interagir au moyen des technologies numériques",
    ),
    Competence(
        "2.2",
        "2",
        "Sharing through digital technologies",
        "Partager au moyen des technologies numériques",
    ),
    Competence(
        "2.3",
        "2",
        "Engaging citizenship through digital technologies",
        "S'engager dans la citoyenneté au moyen des technologies numériques",
    ),
    Competence(
        "2.4",
        "2",
        "Collaborating through digital technologies",
        "Collaborer au moyen des technologies numériques",
    ),
    Competence(
        "2.5",
        "2",
        "Netiquette",
        "Nétiquette",
    ),
    Competence(
        "2.6",
        "2",
        "Managing digital identity",
        "Gérer son identité numérique",
    ),
    Competence(
        "3.1",
        "3",
        "Developing digital content",
        "Développer des contenus numériques",
    ),
    Competence(
        "3.2",
        "3",
        "Integrating and re-elaborating digital content",
        "Intégrer et réélaborer des contenus numériques",
    ),
    Competence(
        "3.3",
        "3",
        "Copyright and licences",
        "Droits d'auteur et licences",
    ),
    Competence(
        "3.4",
        "3",
        "Programming",
        "Programmation",
    ),
    Competence(
        "4.1",
        "4",
        "Protecting devices",
        "Protéger les appareils",
    ),
    Competence(
        "4.2",
        "4",
        "Protecting personal data and privacy",
        "Protéger les données personnelles et la vie privée",
    ),
    Competence(
        "4.3",
        "4",
        "Protecting health and well-being",
        "Protéger la santé et le bien-être",
    ),
    Competence(
        "4.4",
        "4",
        "Protecting the environment",
        "Protéger l'environnement",
    ),
    Competence(
        "5.1",
        "5",
        "Solving technical problems",
        "Résoudre des problèmes techniques",
    ),
    Competence(
        "5.2",
        "5",
        "Identifying needs and technological responses",
        "Identifier les besoins et les réponses technologiques",
    ),
    Competence(
        "5.3",
        "5",
        "Creatively using digital technologies",
        "Utiliser les technologies numériques de façon créative",
    ),
    Competence(
        "5.4",
        "5",
        "Identifying digital competence gaps",
        "Identifier les lacunes en matière de compétences numériques",
    ),
)

COMPETENCE_CODES: frozenset[str] = frozenset(c.code for c in COMPETENCES)

_BANDS = {
    1: "foundation",
    2: "foundation",
    3: "intermediate",
    4: "intermediate",
    5: "advanced",
    6: "advanced",
    7: "highly specialised",
    8: "highly specialised",
}


class UnknownCompetenceError(InvalidValueError):
    """The code is not one of the 21 DigComp 2.2 competences."""


class LevelOutOfRangeError(InvalidValueError):
    """DigComp proficiency levels run from 1 to 8."""


def competence(code: str) -> Competence:
    """The competence with this code, e.g. ``"4.2"``."""
    for item in COMPETENCES:
        if item.code == code:
            return item
    raise UnknownCompetenceError(f"unknown DigComp competence {code!r}")


def check_level(level: int) -> int:
    if not LOWEST_LEVEL <= level <= HIGHEST_LEVEL:
        raise LevelOutOfRangeError(f"DigComp level must be 1 to 8, not {level}")
    return level


def band(level: int) -> str:
    """The proficiency band of a level: foundation, intermediate, advanced..."""
    return _BANDS[check_level(level)]
