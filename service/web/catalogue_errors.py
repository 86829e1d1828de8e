"""What the pages say when something goes wrong, in French and in English: key -> (French, English).

Keys are of four kinds, looked up in this order by ``service.web.kept.wording``:

- the exact English message of a rule with a fixed message (``"given name must not be blank"``);
- an error class and what it is about (``"AggregateNotFoundError.Person"``, ``"NotAuthorisedError.training"``);
- an error class by name (``"CaseClosedError"``), for every error that can reach a page;
- a form field the page could not read (``"form.date.birth_date"``, then ``"form.date"``), and
  the status of the answer (``"status.404"``) for what has no words of its own.

Each text says what to do, in the words of the people who use Suivi (the GOV.UK pattern);
none carries an id, a key or personal data. A test fails when an error has no words here.
"""

from __future__ import annotations

ERROR_WORDS: dict[str, tuple[str, str]] = {
    # ---- the form around the messages ----
    "form.problem": ("Il y a un problème", "There is a problem"),
    "form.problem_intro": (
        "Le formulaire n'a pas été enregistré. Corrigez ce qui suit, puis envoyez-le à nouveau :",
        "The form was not saved. Correct the following, then send it again:",
    ),
    "form.error_prefix": ("Erreur :", "Error:"),
    "form.table_box": ("Tableau : faites-le défiler de côté", "Table: scroll it sideways"),
    "form.date_hint": ("Par exemple 31/12/1990", "For example 31/12/1990"),
    "form.draft_restored": (
        "Votre session avait expiré : ce que vous aviez saisi a été remis dans le formulaire. "
        "Vérifiez-le, puis envoyez-le à nouveau.",
        "Your session had expired: what you had typed has been put back in the form. Check it, then send it again.",
    ),
    # ---- fields the page could not read (service.web.viewer.Form) ----
    "form.missing": ("Remplissez ce champ.", "Fill in this field."),
    "form.blank": ("Remplissez ce champ.", "Fill in this field."),
    "form.blank.given_name": ("Saisissez le prénom.", "Enter the given name."),
    "form.blank.family_name": ("Saisissez le nom de famille.", "Enter the family name."),
    "form.blank.text": ("Écrivez la note.", "Write the note."),
    "form.blank.summary": ("Écrivez en quelques mots de quoi il s'agit.", "Write in a few words what it is about."),
    "form.blank.description": ("Décrivez ce qu'il faut faire ou ce qui a été demandé.", "Describe what is asked."),
    "form.blank.reason": ("Écrivez le motif.", "Write the reason."),
    "form.blank.organisation_name": ("Saisissez le nom de l'organisme.", "Enter the body's name."),
    "form.blank.answer": ("Écrivez la réponse donnée.", "Write the answer given."),
    "form.blank.note": ("Écrivez ce qui justifie la conservation.", "Write what justifies the hold."),
    "form.blank.certificate_reference": (
        "Saisissez la référence de l'attestation.",
        "Enter the certificate's reference.",
    ),
    "form.blank.help_given": ("Écrivez ce qui a été fait.", "Write what was done."),
    "form.blank.display_name": ("Saisissez le nom affiché.", "Enter the display name."),
    "form.blank.password": ("Saisissez un mot de passe.", "Enter a password."),
    "form.too_long": (
        "Ce texte est trop long : {limit} caractères au plus.",
        "This text is too long: {limit} characters at most.",
    ),
    "form.identifier": (
        "Choisissez une réponse parmi celles proposées par la page.",
        "Choose one of the answers the page offers.",
    ),
    "form.identifier.person_id": (
        "Saisissez l'identifiant de la personne (36 caractères, comme 5f0c2a9e-…), tel qu'il figure sur sa fiche.",
        "Enter the person's id (36 characters, like 5f0c2a9e-…), as it appears on their record.",
    ),
    "form.number": ("Saisissez un nombre entier, par exemple 15.", "Enter a whole number, for example 15."),
    "form.number.minutes": (
        "Saisissez la durée en minutes, avec des chiffres, par exemple 15.",
        "Enter the time in minutes, in digits, for example 15.",
    ),
    "form.number.months": ("Choisissez 1 ou 2 mois.", "Choose 1 or 2 months."),
    "form.choice": ("Choisissez une des réponses proposées.", "Choose one of the answers offered."),
    "form.choice.roles": ("Cochez au moins un rôle.", "Tick at least one role."),
    "form.choice.domain": ("Choisissez le domaine du dossier.", "Choose the case's domain."),
    "form.choice.purpose": ("Choisissez la finalité du consentement.", "Choose what the consent is for."),
    "form.choice.evidence": (
        "Choisissez comment le consentement a été donné.",
        "Choose how the consent was given.",
    ),
    "form.choice.outcome": ("Choisissez l'issue du dossier.", "Choose the case's outcome."),
    "form.choice.mark": (
        "Choisissez pour chaque personne : présent, absent, en retard ou excusé.",
        "Choose for each person: present, absent, late or excused.",
    ),
    "form.date": (
        "Saisissez la date au format 31/12/2026 (jour, mois, année).",
        "Enter the date as 31/12/2026 (day, month, year).",
    ),
    "form.date.birth_date": (
        "Saisissez la date de naissance au format 31/12/1990 (jour, mois, année).",
        "Enter the birth date as 31/12/1990 (day, month, year).",
    ),
    "form.date.due_on": (
        "Saisissez l'échéance au format 31/12/2026 (jour, mois, année).",
        "Enter the due date as 31/12/2026 (day, month, year).",
    ),
    "form.date.received_on": (
        "Saisissez la date de réception au format 31/12/2026 (jour, mois, année).",
        "Enter the date received as 31/12/2026 (day, month, year).",
    ),
    "form.username": (
        "Saisissez un identifiant de 2 à 50 caractères : lettres minuscules sans accent, chiffres, point, tiret.",
        "Enter a username of 2 to 50 characters: lower-case letters without accents, digits, dot, hyphen.",
    ),
    "form.sign_in.username": ("Saisissez votre identifiant.", "Enter your username."),
    "form.sign_in.password": ("Saisissez votre mot de passe.", "Enter your password."),
    # ---- rules with a fixed message (domain/, service/application/, service/gdpr/) ----
    "given name must not be blank": ("Saisissez le prénom.", "Enter the given name."),
    "family name must not be blank": ("Saisissez le nom de famille.", "Enter the family name."),
    "case summary must not be blank": (
        "Écrivez en quelques mots de quoi il s'agit.",
        "Write in a few words what it is about.",
    ),
    "note must not be blank": ("Écrivez la note.", "Write the note."),
    "follow-up description must not be blank": (
        "Écrivez ce qu'il faut faire.",
        "Write what has to be done.",
    ),
    "reference must not be blank": ("Indiquez où le document est rangé.", "Say where the document is kept."),
    "reason for reassignment must not be blank": (
        "Écrivez pourquoi le dossier est confié à un collègue.",
        "Write why the case goes to a colleague.",
    ),
    "reason for reopening must not be blank": (
        "Écrivez pourquoi le dossier est rouvert.",
        "Write why the case is reopened.",
    ),
    "the reason for an extension must not be blank": (
        "Écrivez pourquoi le délai est prolongé.",
        "Write why the deadline is extended.",
    ),
    "the answer must not be blank": ("Écrivez la réponse donnée.", "Write the answer given."),
    "the reason for a refusal must not be blank": (
        "Écrivez pourquoi la demande est refusée.",
        "Write why the request is refused.",
    ),
    "the reason for the decision must not be blank": (
        "Écrivez le motif de la décision.",
        "Write the reason for the decision.",
    ),
    "cohort name must not be blank": ("Donnez un nom à la session.", "Give the cohort a name."),
    "site must not be blank": ("Indiquez le lieu.", "Enter the place."),
    "certificate reference must not be blank": (
        "Saisissez la référence de l'attestation.",
        "Enter the certificate's reference.",
    ),
    "reason for withdrawal must not be blank": ("Écrivez le motif du retrait.", "Write the reason for withdrawal."),
    "request description must not be blank": ("Écrivez la demande.", "Write what was asked."),
    "help given must not be blank": ("Écrivez ce qui a été fait.", "Write what was done."),
    "the reason for a correction must not be blank": (
        "Écrivez pourquoi les données sont corrigées.",
        "Write why the data is corrected.",
    ),
    "the reason for a restriction must not be blank": (
        "Écrivez pourquoi le traitement est limité.",
        "Write why processing is restricted.",
    ),
    "hold note must not be blank": (
        "Écrivez ce qui justifie la conservation (procédure, référence).",
        "Write what justifies the hold (proceedings, reference).",
    ),
    "organisation name must not be blank": ("Saisissez le nom de l'organisme.", "Enter the body's name."),
    "reason for referral must not be blank": ("Écrivez le motif de l'orientation.", "Write the reason for referral."),
    "reason for declining must not be blank": ("Écrivez pourquoi vous refusez.", "Write why you decline."),
    "a request cannot be received in the future": (
        "La date de réception ne peut pas être dans le futur.",
        "The date received cannot be in the future.",
    ),
    "the training record belongs to another cohort": (
        "Cette inscription appartient à une autre session.",
        "This enrolment belongs to another cohort.",
    ),
    "the visit has no person": ("Ce passage n'est lié à aucune personne.", "This visit is linked to nobody."),
    "only internal referrals open a case here": (
        "Seule une orientation interne ouvre un dossier ici.",
        "Only an internal referral opens a case here.",
    ),
    "a cohort cannot end before it starts": (
        "La date de fin doit suivre la date de début.",
        "The end date must come after the start date.",
    ),
    "a cohort needs at least one seat": ("Prévoyez au moins une place.", "Allow at least one seat."),
    "hours per day must be between 1 and 24": (
        "Indiquez entre 1 et 24 heures par jour.",
        "Enter between 1 and 24 hours a day.",
    ),
    "session days must fall within the cohort dates": (
        "Les jours de cours doivent tomber entre le début et la fin de la session.",
        "Session days must fall between the cohort's start and end.",
    ),
    "capacity cannot drop below the seats taken": (
        "Il y a déjà plus d'inscrits que ce nombre de places.",
        "More people are already enrolled than this number of seats.",
    ),
    "attendance cannot be recorded in advance": (
        "Les présences se notent le jour même ou après, jamais à l'avance.",
        "Attendance is recorded on the day or later, never in advance.",
    ),
    "attendance hours must fit the session day": (
        "Les heures de présence dépassent la durée du cours.",
        "The hours attended are longer than the session day.",
    ),
    "the description is kept under 280 chars": (
        "Décrivez la demande en 280 caractères au plus.",
        "Describe the request in 280 characters at most.",
    ),
    "minutes spent cannot be negative": (
        "La durée ne peut pas être négative.",
        "The time spent cannot be negative.",
    ),
    "the preferred language must be a language spoken": (
        "La langue préférée doit faire partie des langues parlées.",
        "The preferred language must be one of the languages spoken.",
    ),
    "a file number looks like 2026-00042": (
        "Un numéro de dossier s'écrit comme 2026-00042.",
        "A file number is written like 2026-00042.",
    ),
    "internal referrals go to the social-legal service": (
        "Une orientation interne va au service social et juridique.",
        "An internal referral goes to the social-legal service.",
    ),
    "the consent record belongs to another person": (
        "Ce consentement est celui d'une autre personne.",
        "This consent belongs to another person.",
    ),
    "an outside body is named for external referrals, and only for them": (
        "Un organisme extérieur n'est nommé que pour une orientation externe.",
        "An outside body is named only for an external referral.",
    ),
    "a consent cannot end before it is given": (
        "Un consentement ne peut pas finir avant d'avoir été donné.",
        "A consent cannot end before it was given.",
    ),
    "an external referral consent is for a named body": (
        "Le consentement à une orientation externe nomme l'organisme.",
        "Consent to an external referral names the body.",
    ),
    "internal referrals are accepted by opening a case": (
        "Une orientation interne s'accepte en ouvrant un dossier, depuis la liste des orientations.",
        "An internal referral is accepted by opening a case, from the list of referrals.",
    ),
    "the case belongs to another person": (
        "Ce dossier est celui d'une autre personne.",
        "This case belongs to another person.",
    ),
    "each learner is marked once per day": (
        "Chaque personne n'est notée qu'une fois par jour.",
        "Each person is marked once a day.",
    ),
    "no learner to mark on that day": (
        "Personne n'est inscrit à cette session aujourd'hui : il n'y a rien à noter.",
        "Nobody is enrolled in this cohort today: there is nothing to record.",
    ),
    "social_worker_id must name an active social worker": (
        "Choisissez un travailleur social dont le compte est actif.",
        "Choose a social worker whose account is active.",
    ),
    "does not match the person's file number; nothing was erased": (
        "Ce n'est pas le numéro de dossier de la personne : rien n'a été effacé.",
        "That is not the person's file number: nothing was erased.",
    ),
    "a password has at least 10 characters": (
        "Choisissez un mot de passe d'au moins 10 caractères.",
        "Choose a password of at least 10 characters.",
    ),
    # ---- every error that can reach a page, by class (domain/) ----
    "DomainError": ("Cette action n'est pas possible pour le moment.", "This action is not possible at the moment."),
    "InvalidValueError": (
        "Une valeur saisie ne convient pas : corrigez-la, puis envoyez à nouveau.",
        "A value you entered does not fit: correct it, then send again.",
    ),
    "NaiveTimestampError": (
        "L'heure de l'action n'a pas pu être fixée. Réessayez.",
        "The time of the action could not be set. Try again.",
    ),
    "CaseClosedError": (
        "Ce dossier est clôturé. Rouvrez-le avant d'y ajouter quelque chose.",
        "This case is closed. Reopen it before adding anything to it.",
    ),
    "CaseNotClosedError": ("Ce dossier est encore ouvert : il n'y a rien à rouvrir.", "This case is still open."),
    "UnknownFollowUpError": ("Ce suivi ne fait pas partie de ce dossier.", "This follow-up is not in this case."),
    "RequestClosedError": (
        "Cette demande est déjà traitée : elle ne peut plus changer.",
        "This request is already dealt with: it can no longer change.",
    ),
    "ExtensionRefusedError": (
        "Le délai ne peut plus être prolongé : au plus deux mois en tout, annoncés pendant le premier mois.",
        "The deadline can no longer be extended: two months at most, announced within the first month.",
    ),
    "NotAnObjectionError": (
        "Seule une opposition reçoit cette décision.",
        "Only an objection gets this decision.",
    ),
    "CohortFullError": (
        "La session est complète : la personne peut être mise en liste d'attente.",
        "The cohort is full: the person can go on the waiting list.",
    ),
    "AlreadyInCohortError": ("Cette personne est déjà inscrite à la session.", "This person is already in the cohort."),
    "NotInCohortError": (
        "Cette personne n'est pas inscrite à la session.",
        "This person is not in the cohort.",
    ),
    "NotASessionDayError": (
        "La session n'a pas cours ce jour-là : les présences ne peuvent pas être notées.",
        "The cohort does not meet that day: attendance cannot be recorded.",
    ),
    "NotEnrolledError": (
        "Cette personne n'est pas (ou plus) inscrite à la session.",
        "This person is not (or no longer) enrolled in the cohort.",
    ),
    "UnknownCompetenceError": (
        "Cette compétence ne fait pas partie du référentiel DigComp.",
        "This competence is not in the DigComp framework.",
    ),
    "LevelOutOfRangeError": ("Choisissez un niveau de 1 à 8.", "Choose a level from 1 to 8."),
    "VisitStateError": (
        "Ce passage a déjà avancé (appelé, aidé ou orienté) : rechargez le tableau.",
        "This visit has already moved on (called, helped or referred): reload the board.",
    ),
    "ProcessingRestrictedError": (
        "Le traitement des données de cette personne est limité (RGPD, art. 18) : adressez-vous au délégué à la "
        "protection des données.",
        "Processing of this person's data is restricted (GDPR Art. 18): ask the data protection officer.",
    ),
    "LegalHoldError": (
        "Une conservation légale protège ces données : elles ne peuvent pas être effacées.",
        "A legal hold protects this data: it cannot be erased.",
    ),
    "PersonErasedError": (
        "Les données de cette personne ont été effacées à sa demande.",
        "This person's data has been erased at their request.",
    ),
    "UnknownLegalHoldError": (
        "Cette conservation légale n'est plus active.",
        "This legal hold is no longer active.",
    ),
    "ReferralStateError": (
        "Cette orientation a déjà reçu une réponse : rechargez la page.",
        "This referral already has an answer: reload the page.",
    ),
    "ConsentMissingError": (
        "La personne n'a pas donné son consentement pour cela.",
        "The person has not given their consent for this.",
    ),
    "ExternalReferralRefusedError": (
        "La personne n'a pas consenti à être orientée vers cet organisme. Enregistrez d'abord son consentement, "
        "ou écrivez pourquoi l'orientation ne peut pas attendre.",
        "The person has not consented to a referral to this body. Record their consent first, or write why "
        "the referral cannot wait.",
    ),
    # ---- service/application/ and service/gdpr/ ----
    "ApplicationError": ("Cette action n'est pas possible.", "This action is not possible."),
    "NotAuthorisedError": (
        "Votre rôle ne permet pas cette action.",
        "Your role does not allow this action.",
    ),
    "NotAuthorisedError.identity": (
        "Votre rôle ne permet pas de consulter ou de modifier l'identité de cette personne.",
        "Your role does not allow you to see or change this person's identity.",
    ),
    "NotAuthorisedError.consent": (
        "Votre rôle ne permet pas de modifier les consentements de cette personne.",
        "Your role does not allow you to change this person's consents.",
    ),
    "NotAuthorisedError.training": (
        "Votre rôle, ou les consentements de la personne, ne permettent pas de voir sa formation.",
        "Your role, or the person's consents, do not allow you to see their training.",
    ),
    "NotAuthorisedError.office_hours": (
        "Votre rôle, ou les consentements de la personne, ne permettent pas de voir ses passages aux permanences.",
        "Your role, or the person's consents, do not allow you to see their office-hours visits.",
    ),
    "NotAuthorisedError.social_legal": (
        "Ce dossier social et juridique ne fait pas partie de vos dossiers. Pour le consulter, indiquez un motif "
        "sur la fiche de la personne.",
        "This social-legal file is not in your caseload. To read it, give a reason on the person's record.",
    ),
    "NotAuthorisedError.gdpr": (
        "Seul le délégué à la protection des données peut faire cela.",
        "Only the data protection officer can do this.",
    ),
    "NotAuthorisedError.access": (
        "Votre rôle ne permet pas de voir ce journal des accès.",
        "Your role does not allow you to see this access log.",
    ),
    "RoleRequiredError": (
        "Cela revient à un autre rôle que le vôtre.",
        "This belongs to another role than yours.",
    ),
    "NotAnAdminError": (
        "Seul un administrateur gère les comptes du personnel.",
        "Only an administrator manages staff accounts.",
    ),
    "ErasureRefusedError": (
        "Une conservation légale est en cours : la personne ne peut pas être effacée. Levez-la d'abord si elle "
        "n'a plus lieu d'être.",
        "A legal hold is in place: the person cannot be erased. Lift it first if it no longer applies.",
    ),
    "ConfirmationMismatchError": (
        "Ce n'est pas le numéro de dossier de la personne : rien n'a été effacé.",
        "That is not the person's file number: nothing was erased.",
    ),
    "PersonErasedGoneError": (
        "Cette personne a été effacée : il ne reste que le reçu d'effacement.",
        "This person has been erased: only the erasure receipt remains.",
    ),
    # ---- the store, the accounts and the doors ----
    "AggregateNotFoundError": (
        "Nous ne trouvons pas ce que vous cherchez. Le lien est peut-être incomplet : revenez à la page précédente.",
        "We cannot find what you are looking for. The link may be incomplete: go back to the previous page.",
    ),
    "AggregateNotFoundError.Person": (
        "Nous ne trouvons personne avec cet identifiant. Si vous venez d'inscrire la personne, rechargez la page "
        "dans un instant ; sinon, vérifiez l'identifiant sur la fiche ou la demande.",
        "We find nobody with this id. If you have just registered the person, reload the page in a moment; "
        "otherwise, check the id on the record or the request.",
    ),
    "AggregateNotFoundError.Case": ("Nous ne trouvons pas ce dossier.", "We cannot find this case."),
    "AggregateNotFoundError.Cohort": ("Nous ne trouvons pas cette session.", "We cannot find this cohort."),
    "AggregateNotFoundError.ConsentRecord": (
        "Nous ne trouvons pas les consentements de cette personne.",
        "We cannot find this person's consents.",
    ),
    "AggregateNotFoundError.Referral": ("Nous ne trouvons pas cette orientation.", "We cannot find this referral."),
    "AggregateNotFoundError.RightsRequest": ("Nous ne trouvons pas cette demande.", "We cannot find this request."),
    "AggregateNotFoundError.TrainingRecord": (
        "Nous ne trouvons pas cette inscription.",
        "We cannot find this enrolment.",
    ),
    "AggregateNotFoundError.Visit": ("Nous ne trouvons pas ce passage.", "We cannot find this visit."),
    "AggregateNotFoundError.Report": ("Nous ne trouvons pas ce rapport.", "We cannot find this report."),
    "AggregateErasedError": (
        "Ces données ont été effacées à la demande de la personne.",
        "This data has been erased at the person's request.",
    ),
    "SubjectErasedError": (
        "Ces données ont été effacées à la demande de la personne.",
        "This data has been erased at the person's request.",
    ),
    "ConcurrencyError": (
        "Quelqu'un a modifié ceci en même temps que vous. Rechargez la page, vérifiez, puis recommencez.",
        "Someone changed this at the same time as you. Reload the page, check, then try again.",
    ),
    "IdempotencyKeyReusedError": (
        "Ce formulaire a déjà été envoyé. Rechargez la page pour en remplir un nouveau.",
        "This form was already sent. Reload the page to fill in a new one.",
    ),
    "SignInRefusedError": (
        "Identifiant ou mot de passe incorrect, ou compte bloqué pour quelques minutes après plusieurs essais.",
        "Wrong username or password, or the account is locked for a few minutes after several attempts.",
    ),
    "NotSignedInError": (
        "Votre session a pris fin. Connectez-vous à nouveau.",
        "Your session has ended. Sign in again.",
    ),
    "UsernameTakenError": (
        "Cet identifiant est déjà pris : choisissez-en un autre.",
        "This username is taken: choose another one.",
    ),
    "StaffNotFoundError": ("Nous ne trouvons pas ce compte.", "We cannot find this account."),
    "StaleStaffVersionError": (
        "Ce compte a été modifié entre-temps. Rechargez la page, puis recommencez.",
        "This account was changed meanwhile. Reload the page, then try again.",
    ),
    "WeakPasswordError": (
        "Choisissez un mot de passe plus long.",
        "Choose a longer password.",
    ),
    "CsrfError": (
        "Cette page était trop ancienne pour être envoyée. Rechargez-la, puis recommencez.",
        "This page was too old to be sent. Reload it, then try again.",
    ),
    "ForbiddenError": (
        "Cette page est réservée à un autre rôle. Utilisez le menu pour revenir à votre travail.",
        "This page belongs to another role. Use the menu to go back to your work.",
    ),
    "BadRequestError": (
        "La page a envoyé une valeur que nous ne pouvons pas lire. Rechargez-la, puis recommencez.",
        "The page sent a value we cannot read. Reload it, then try again.",
    ),
    "FormFieldError": ("Corrigez ce champ.", "Correct this field."),
    "FormFieldErrors": ("Corrigez les champs indiqués.", "Correct the fields shown."),
    "ValidationException": (
        "La page a envoyé une valeur que nous ne pouvons pas lire. Rechargez-la, puis recommencez.",
        "The page sent a value we cannot read. Reload it, then try again.",
    ),
    "ValidationError": (
        "La page a envoyé une valeur que nous ne pouvons pas lire. Rechargez-la, puis recommencez.",
        "The page sent a value we cannot read. Reload it, then try again.",
    ),
    "HTTPException": (
        "Cette page n'a pas pu répondre. Revenez à la page précédente.",
        "This page could not answer. Go back to the previous page.",
    ),
    "NotFoundException": (
        "Cette page n'existe pas. Le lien est peut-être incomplet : utilisez le menu.",
        "This page does not exist. The link may be incomplete: use the menu.",
    ),
    # ---- by status, for what has no words of its own ----
    "status.400": (
        "La page a envoyé une valeur que nous ne pouvons pas lire. Rechargez-la, puis recommencez.",
        "The page sent a value we cannot read. Reload it, then try again.",
    ),
    "status.403": ("Votre rôle ne permet pas cette action.", "Your role does not allow this action."),
    "status.404": ("Nous ne trouvons pas ce que vous cherchez.", "We cannot find what you are looking for."),
    "status.405": ("Cette page ne s'utilise pas ainsi.", "This page is not used this way."),
    "status.409": (
        "Quelqu'un a modifié ceci en même temps que vous. Rechargez la page, puis recommencez.",
        "Someone changed this at the same time as you. Reload the page, then try again.",
    ),
    "status.410": ("Ces données ont été effacées.", "This data has been erased."),
    "status.413": (
        "Ce que vous envoyez est trop volumineux. Raccourcissez le texte.",
        "What you are sending is too large. Shorten the text.",
    ),
    "status.422": ("Cette action n'est pas possible pour le moment.", "This action is not possible at the moment."),
    "status.423": (
        "Le traitement des données de cette personne est limité (RGPD, art. 18).",
        "Processing of this person's data is restricted (GDPR Art. 18).",
    ),
    "status.500": (
        "Quelque chose n'a pas fonctionné de notre côté. C'est noté ; réessayez dans un moment.",
        "Something went wrong on our side. It has been noted; try again in a moment.",
    ),
    "status.503": (
        "Le service est momentanément indisponible. Réessayez dans quelques secondes.",
        "The service is briefly unavailable. Try again in a few seconds.",
    ),
}
