from firmpay.tenancy.models import Membership


def test_fixtures_give_an_owner_and_staff_in_one_firm(firm, owner, staff_user, other_owner):
    assert Membership.objects.get(firm=firm, user=owner).is_owner
    assert not Membership.objects.get(firm=firm, user=staff_user).can_manage
    assert not Membership.objects.filter(firm=firm, user=other_owner).exists()


def test_owner_client_has_the_firm_in_its_session(owner_client, firm):
    assert owner_client.session["firm_id"] == firm.pk
