"""The supply–demand board (供需对接): needs and service projects that streets and communities publish, the
organizations' interest in them, the pairing the publisher picks, its activities and the residents' evaluation.

Shanghai 沪民社管发〔2024〕1号 第九条 (供需对接平台, tagged for community social organizations) and 第八条 (community
service projects CSOs take on); Pinghu: 居民群众提出需求、社区提出项目、社会组织…具体实施.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registry.choices import Role, Vocabulary
from registry.scoping import ScopedQuerySet, granted_pks


class PostingKind(models.TextChoices):
    NEED = "need", _("Residents' need")
    PROJECT = "project", _("Service project")


class PostingState(models.TextChoices):
    OPEN = "open", _("Open")
    MATCHED = "matched", _("Matched")
    DONE = "done", _("Done")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class PostingAction(models.TextChoices):
    PUBLISH = "publish", _("Published")
    PICK = "pick", _("Organization picked")
    CLOSE = "close", _("Evaluated by the residents")
    WITHDRAW = "withdraw", _("Withdrawn")


class InterestState(models.TextChoices):
    PENDING = "pending", _("Waiting for the publisher")
    PICKED = "picked", _("Picked")
    NOT_PICKED = "not_picked", _("Not picked")


class PostingQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """Staff: the postings of their jurisdiction. An organization user: every open posting (the board is there
        to be browsed, across districts too: 第八条 encourages buying across districts) and the postings it has
        expressed interest in."""
        if user is not None and getattr(user, "is_authenticated", False) and user.is_active \
                and user.role == Role.ORGANIZATION and not user.is_superuser:
            from registry.models import Organization

            own = Interest.objects.filter(posting=OuterRef("pk"),
                                          organization__in=granted_pks(user, Organization))
            return self.filter(Q(state=PostingState.OPEN) | Q(Exists(own)))
        return super().visible_to(user)

    def nearest_first(self, region):
        """Ordered by distance from ``region`` (an organization's community): its community, its street, its
        district, then the rest."""
        community, street, county = region.code, region.code[:9], region.code[:6]
        return self.annotate(nearness=models.Case(
            models.When(region_id=community, then=0),
            models.When(region__code__startswith=street, then=1),
            models.When(region__code__startswith=county, then=2),
            default=3, output_field=models.PositiveSmallIntegerField(),
        )).order_by("nearness", "-published_at", "-pk")


class Posting(models.Model):
    """A need of residents or a service project, published by a street or community for organizations to take on."""

    scope_region_lookup = "region__code"

    kind = models.CharField(_("kind"), max_length=10, choices=PostingKind.choices, default=PostingKind.NEED)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=4000)
    category = models.ForeignKey("registry.Term", models.PROTECT, related_name="+", verbose_name=_("category"),
                                 limit_choices_to={"vocabulary": Vocabulary.CATEGORY})
    target_groups = models.ManyToManyField("registry.Term", blank=True, related_name="+",
                                           verbose_name=_("target groups"),
                                           limit_choices_to={"vocabulary": Vocabulary.TARGET_GROUP})
    region = models.ForeignKey("registry.Region", models.PROTECT, related_name="+",
                               verbose_name=_("community or street"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    budget = models.DecimalField(_("budget (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True,
                                 validators=[MinValueValidator(Decimal("0.01"))],
                                 help_text=_("Only when the service is purchased."))
    state = models.CharField(_("state"), max_length=10, choices=PostingState.choices, default=PostingState.OPEN)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                     verbose_name=_("published by"))
    published_at = models.DateTimeField(_("published at"), default=timezone.now)

    objects = PostingQuerySet.as_manager()

    class Meta:
        verbose_name = _("need or service project")
        verbose_name_plural = _("needs and service projects")
        ordering = ["-published_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(budget__isnull=True) | Q(budget__gt=0), name="posting_budget_positive"),
            models.CheckConstraint(condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                                   name="posting_period_ordered"),
        ]
        indexes = [
            # The organizations' board: open postings, nearest region first.
            models.Index(fields=["state", "region"], name="grant_posting_state_region_idx"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("grants:posting_detail", args=[self.pk])


class PostingEvent(models.Model):
    """One step of a posting (published, picked, closed, withdrawn): who, when, from which state to which."""

    posting = models.ForeignKey(Posting, models.PROTECT, related_name="events", verbose_name=_("posting"))
    action = models.CharField(_("action"), max_length=20, choices=PostingAction.choices)
    from_state = models.CharField(_("from"), max_length=10, blank=True)
    to_state = models.CharField(_("to"), max_length=10)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("by"))
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("posting step")
        verbose_name_plural = _("posting steps")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.posting} · {self.action}"


class Interest(models.Model):
    """An organization's interest in a posting, with a short message to the publisher."""

    scope_region_lookup = "posting__region__code"
    scope_organization_lookup = "organization"

    posting = models.ForeignKey(Posting, models.PROTECT, related_name="interests", verbose_name=_("posting"))
    organization = models.ForeignKey("registry.Organization", models.PROTECT, related_name="board_interests",
                                     verbose_name=_("organization"))
    message = models.CharField(_("message"), max_length=500)
    state = models.CharField(_("state"), max_length=10, choices=InterestState.choices,
                             default=InterestState.PENDING)
    expressed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                     verbose_name=_("expressed by"))
    expressed_at = models.DateTimeField(_("expressed at"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("interest")
        verbose_name_plural = _("interests")
        ordering = ["expressed_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["posting", "organization"], name="one_interest_per_posting")]

    def __str__(self):
        return f"{self.organization} · {self.posting}"


class Pairing(models.Model):
    """The organization the publisher picked for a posting; its activities and the residents' evaluation."""

    scope_region_lookup = "posting__region__code"
    scope_organization_lookup = "organization"

    posting = models.OneToOneField(Posting, models.PROTECT, related_name="pairing", verbose_name=_("posting"))
    interest = models.OneToOneField(Interest, models.PROTECT, related_name="pairing", verbose_name=_("interest"))
    organization = models.ForeignKey("registry.Organization", models.PROTECT, related_name="board_pairings",
                                     verbose_name=_("organization"))
    picked_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                  verbose_name=_("picked by"))
    picked_at = models.DateTimeField(_("picked at"), default=timezone.now)
    activities = models.ManyToManyField("registry.Activity", blank=True, related_name="board_pairings",
                                        verbose_name=_("activities"))
    satisfaction = models.PositiveSmallIntegerField(
        _("residents' satisfaction (1–5)"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)])
    evaluation = models.CharField(_("residents' evaluation"), max_length=1000, blank=True)
    evaluated_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("evaluation recorded by"))
    evaluated_at = models.DateTimeField(_("evaluated at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("pairing")
        verbose_name_plural = _("pairings")
        ordering = ["-picked_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(satisfaction__isnull=True) | Q(satisfaction__gte=1, satisfaction__lte=5),
                                   name="pairing_satisfaction_1_to_5"),
        ]

    def __str__(self):
        return f"{self.posting} · {self.organization}"
