"""factory_boy factories shared by the whole suite."""

import factory
from django.conf import settings

from lms import services
from lms.models import Organisation, User
from lms.roles import Role


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("short_name",)

    name = factory.Sequence(lambda n: f"Organisation {n}")
    short_name = factory.Sequence(lambda n: f"ORG{n}")
    kind = Organisation.Kind.PARTNER
    country = "PK"


class UserFactory(factory.django.DjangoModelFactory):
    """A user; `roles=[Role.TRAINER]` gives roles through the same service the site uses."""

    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        self.save()
        if create:
            services.user_set_roles(user=self, roles=extracted or [Role.OFFICER])


PASSWORD = "correct-horse-battery"
DEMO_PASSWORD = settings.DEMO_PASSWORD
