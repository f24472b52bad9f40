"""Subjects and service areas: the KO41a lists, their social care equivalents, and the rules'
keywords. One place to read (and to change) what each code means and when it is given."""

from __future__ import annotations

from dataclasses import dataclass

HEALTH = "health"
SOCIAL_CARE = "social_care"
BOTH = frozenset({HEALTH, SOCIAL_CARE})


@dataclass(frozen=True)
class Subject:
    """A subject area: its code, its published label, which returns use it, and its keywords."""

    code: str
    label: str
    applies_to: frozenset[str]
    keywords: tuple[str, ...] = ()

    @property
    def in_ko41a(self) -> bool:
        return HEALTH in self.applies_to


def _s(code: str, label: str, applies_to, *keywords: str) -> Subject:
    scope = frozenset({applies_to}) if isinstance(applies_to, str) else frozenset(applies_to)
    return Subject(code, label, scope, keywords)


# KO41a subject areas (NHS Digital, hospital and community health services), in the published
# order; the general ones apply to social care complaints too. Keywords match the start of a
# word in the contact's description or concern summaries, or in the case's own subject.
SUBJECTS: tuple[Subject, ...] = (
    _s("access_to_treatment", "Access to treatment or drugs", HEALTH,
       "refused treatment", "not eligible", "denied treatment", "access to treatment", "funding for"),
    _s("admissions_discharges", "Admissions and discharges", HEALTH,
       "discharg", "admission", "admitted", "sent home"),
    _s("appointments", "Appointments, including delays and cancellations", HEALTH,
       "appointment", "cancelled", "cancellation", "rescheduled", "rebooked"),
    _s("clinical_treatment", "Clinical treatment", HEALTH,
       "diagnos", "misdiagnos", "treatment", "operation", "surgery", "surgical", "clinical", "x-ray",
       "scan", "infection"),
    _s("commissioning", "Commissioning", HEALTH, "commissioning", "continuing healthcare"),
    _s("communications", "Communications", BOTH,
       "communicat", "not told", "nobody told", "no one told", "not informed", "explain", "letter",
       "phone call", "not listened", "did not listen", "didn't listen", "no reply", "information"),
    _s("complaints_handling", "Complaints handling", BOTH,
       "complaints process", "complaint was ignored", "previous complaint", "complaints team"),
    _s("consent", "Consent", HEALTH, "consent", "without asking"),
    _s("end_of_life_care", "End of life care", BOTH,
       "end of life", "end-of-life", "palliative", "dying", "hospice"),
    _s("facilities", "Facilities", HEALTH,
       "car park", "parking", "toilet", "dirty", "clean", "building", "noise", "food was cold"),
    _s("integrated_care", "Integrated care, including delayed discharge for want of a care package",
       BOTH, "care package", "delayed discharge", "between the hospital and", "between services"),
    _s("mental_health_act", "Mental Health Act", HEALTH,
       "mental health act", "sectioned", "detained under"),
    _s("patient_care", "Patient care, including nutrition and hydration", HEALTH,
       "nutrition", "hydration", "dehydrat", "not fed", "food", "drink", "pressure sore",
       "pressure ulcer", "bed sore", "hygiene", "fell", "a fall", "left alone", "call bell", "neglect"),
    _s("prescribing", "Prescribing", HEALTH,
       "prescri", "medication", "medicine", "dose", "pharmac", "drug"),
    _s("privacy_dignity", "Privacy, dignity and wellbeing", BOTH,
       "dignity", "undignified", "humiliat", "exposed", "in front of other"),
    _s("privacy_confidentiality", "Privacy and confidentiality", BOTH,
       "confidential", "privacy", "data breach", "my records were", "shared my", "gdpr"),
    _s("restraint", "Restraint", BOTH, "restrain", "restraint"),
    _s("staff_numbers", "Staff numbers", BOTH,
       "understaffed", "short staffed", "short-staffed", "not enough staff", "staffing"),
    _s("transport", "Transport (ambulances and other)", BOTH,
       "ambulance", "transport", "patient transport", "taxi"),
    _s("trust_administration", "Trust administration", HEALTH,
       "administrat", "paperwork", "records", "lost my", "wrong address", "booking system"),
    _s("values_behaviours", "Values and behaviours (staff)", BOTH,
       "rude", "attitude", "unprofessional", "disrespect", "dismissive", "shouted", "uncaring",
       "unkind", "behaviour of"),
    _s("waiting_times", "Waiting times", HEALTH,
       "waiting", "waited", "wait ", "delay", "weeks for", "months for"),
    _s("other", "Other", BOTH),
    # Adult social care: the areas councils and the LGSCO report complaints under.
    _s("assessment_care_planning", "Assessment and care planning", SOCIAL_CARE,
       "assessment", "care plan", "care needs", "reassess", "review of my", "eligib"),
    _s("charging", "Charging and fees", SOCIAL_CARE,
       "charge", "charging", "invoice", "bill", "fee", "financial assessment", "top-up", "top up"),
    _s("home_care", "Home care (domiciliary)", SOCIAL_CARE,
       "home care", "homecare", "domiciliary", "carers did not", "carer did not", "care visit",
       "visits were missed", "missed visit"),
    _s("residential_care", "Residential and nursing care", SOCIAL_CARE,
       "care home", "residential", "nursing home"),
    _s("direct_payments", "Direct payments and personal budgets", SOCIAL_CARE,
       "direct payment", "personal budget"),
    _s("equipment_adaptations", "Equipment and adaptations", SOCIAL_CARE,
       "adaptation", "equipment", "hoist", "grab rail", "stairlift", "wheelchair"),
    _s("safeguarding", "Safeguarding", SOCIAL_CARE, "safeguarding"),
)
SUBJECTS_BY_CODE: dict[str, Subject] = {s.code: s for s in SUBJECTS}
KO41A_SUBJECTS: tuple[Subject, ...] = tuple(s for s in SUBJECTS if s.in_ko41a)


@dataclass(frozen=True)
class ServiceArea:
    """A service area of the KO41a (health) or of a council's adult social care."""

    code: str
    label: str
    service_type: str
    keywords: tuple[str, ...] = ()


SERVICE_AREAS: tuple[ServiceArea, ...] = (
    ServiceArea("a_and_e", "Accident and emergency", HEALTH,
                ("a&e", "a and e", "emergency department", "casualty")),
    ServiceArea("maternity", "Maternity", HEALTH, ("maternity", "midwi", "pregnan", "labour ward")),
    ServiceArea("mental_health", "Mental health", HEALTH, ("mental health", "psychiatr", "crisis team")),
    ServiceArea("learning_disabilities", "Learning disabilities", HEALTH, ("learning disabilit",)),
    ServiceArea("ambulance", "Ambulance", HEALTH, ("ambulance", "paramedic")),
    ServiceArea("community_health", "Community health services", HEALTH,
                ("district nurse", "community nurse", "health visitor", "community hospital")),
    ServiceArea("outpatient", "Outpatient", HEALTH, ("outpatient", "out-patient", "clinic")),
    ServiceArea("inpatient", "Inpatient", HEALTH, ("ward", "inpatient", "in-patient", "admitted")),
    ServiceArea("other_health", "Other (health)", HEALTH),
    ServiceArea("home_care", "Home care", SOCIAL_CARE,
                ("home care", "homecare", "domiciliary", "care visit", "carers")),
    ServiceArea("residential_care", "Residential and nursing care", SOCIAL_CARE,
                ("care home", "residential", "nursing home")),
    ServiceArea("day_services", "Day services", SOCIAL_CARE, ("day centre", "day service")),
    ServiceArea("assessment_care_management", "Assessment and care management", SOCIAL_CARE,
                ("assessment", "social worker", "care plan", "care manage")),
    ServiceArea("other_social_care", "Other (adult social care)", SOCIAL_CARE),
)
SERVICE_AREAS_BY_CODE: dict[str, ServiceArea] = {a.code: a for a in SERVICE_AREAS}


@dataclass(frozen=True)
class Profession:
    """A KO41a staff group: the profession of the staff a complaint is about, and its keywords."""

    code: str
    label: str
    keywords: tuple[str, ...] = ()


# The KO41a's professions (NHS Digital, hospital and community health services), with "not known"
# for a complaint whose words name no staff group. Keywords match the start of a word, as subjects'.
PROFESSIONS: tuple[Profession, ...] = (
    Profession("medical", "Medical (including surgical)",
               ("doctor", "consultant", "surgeon", "registrar", "anaesthetist", "physician", "psychiatrist",
                "the gp", "my gp", "junior doctor")),
    Profession("dental", "Dental (including surgical)", ("dentist", "dental", "orthodont")),
    Profession("nursing", "Nursing, midwifery and health visiting",
               ("nurse", "nursing staff", "midwi", "health visitor", "matron", "ward sister",
                "healthcare assistant", "health care assistant")),
    Profession("allied_health", "Allied health professionals",
               ("physio", "occupational therap", "speech and language", "dietitian", "dietician",
                "radiographer", "podiatr", "orthoptist", "art therapist")),
    Profession("scientific_technical", "Scientific, therapeutic and technical staff",
               ("pharmacist", "laborator", "phlebotom", "psychologist", "technician", "scientist")),
    Profession("ambulance", "Ambulance staff", ("paramedic", "ambulance crew", "ambulance staff", "call handler")),
    Profession("administrative", "Administrative staff and management",
               ("receptionist", "reception staff", "secretary", "switchboard", "manager", "admin staff",
                "booking team")),
    Profession("other", "Other staff"),
    Profession("not_known", "Not known"),
)
PROFESSIONS_BY_CODE: dict[str, Profession] = {p.code: p for p in PROFESSIONS}

# The KO41a's age groups of the person the complaint is about, as casework's equality data gives them.
AGE_GROUPS: tuple[tuple[str, str], ...] = (
    ("0-17", "Age 0 to 17"), ("18-64", "Age 18 to 64"), ("65-74", "Age 65 to 74"), ("75-84", "Age 75 to 84"),
    ("85+", "Age 85 and over"), ("not_known", "Age not known"),
)


def subject_label(code: str) -> str:
    """The published label of a subject code (the code itself if it is not known)."""
    subject = SUBJECTS_BY_CODE.get(code)
    return subject.label if subject else code


def service_area_label(code: str | None) -> str:
    area = SERVICE_AREAS_BY_CODE.get(code or "")
    return area.label if area else (code or "Not known")
