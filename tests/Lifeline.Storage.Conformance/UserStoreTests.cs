namespace Lifeline.Storage.Conformance;

/// <summary>Users of the web app: unique usernames without case, and never without an admin.</summary>
public abstract class UserStoreTests : StoreTests
{
    private User NewUser(string username, string role = User.Admin) =>
        new(Secrets.NewId(), username, "hash-of-" + username, role, User.NewStamp(), F.Clock.GetUtcNow());

    [Fact]
    public async Task A_user_is_stored_whole_and_found_by_id_and_by_username_in_any_case()
    {
        (await F.Users.AnyUserAsync(Ct)).ShouldBeFalse();
        var ada = NewUser("Ada.Lovelace");

        (await F.Users.AddUserAsync(ada, onlyIfFirst: false, Ct)).ShouldBe(UserChange.Done);

        (await F.Users.AnyUserAsync(Ct)).ShouldBeTrue();
        (await F.Users.FindUserAsync(ada.Id, Ct)).ShouldBe(ada);
        (await F.Users.FindUserByNameAsync("ada.LOVELACE", Ct)).ShouldBe(ada);
        (await F.Users.FindUserByNameAsync("ada", Ct)).ShouldBeNull();
        (await F.Users.FindUserAsync("nobody", Ct)).ShouldBeNull();
    }

    [Fact]
    public async Task Users_are_listed_by_username_without_regard_to_case()
    {
        await F.Users.AddUserAsync(NewUser("carol"), false, Ct);
        await F.Users.AddUserAsync(NewUser("Bob", User.Viewer), false, Ct);
        await F.Users.AddUserAsync(NewUser("alice", User.Viewer), false, Ct);

        (await F.Users.UsersAsync(Ct)).Select(u => u.Username).ShouldBe(["alice", "Bob", "carol"]);
    }

    [Fact]
    public async Task A_username_differing_only_in_case_is_taken()
    {
        await F.Users.AddUserAsync(NewUser("admin"), false, Ct);
        var bob = NewUser("bob", User.Viewer);
        await F.Users.AddUserAsync(bob, false, Ct);

        (await F.Users.AddUserAsync(NewUser("ADMIN"), false, Ct)).ShouldBe(UserChange.NameTaken);
        (await F.Users.UpdateUserAsync(bob with { Username = "Admin" }, Ct)).ShouldBe(UserChange.NameTaken);
        (await F.Users.UpdateUserAsync(bob with { Username = "BOB" }, Ct)).ShouldBe(UserChange.Done);
        (await F.Users.UsersAsync(Ct)).Count.ShouldBe(2);
    }

    [Fact]
    public async Task Only_the_first_user_can_be_added_as_the_first()
    {
        (await F.Users.AddUserAsync(NewUser("first"), onlyIfFirst: true, Ct)).ShouldBe(UserChange.Done);

        (await F.Users.AddUserAsync(NewUser("second"), onlyIfFirst: true, Ct)).ShouldBe(UserChange.UsersExist);
        (await F.Users.UsersAsync(Ct)).Single().Username.ShouldBe("first");
    }

    [Fact]
    public async Task Two_first_users_at_the_same_time_make_one()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => F.Users.AddUserAsync(NewUser($"admin{i}"), onlyIfFirst: true, Ct)));

        results.Count(r => r == UserChange.Done).ShouldBe(1);
        (await F.Users.UsersAsync(Ct)).Count.ShouldBe(1);
    }

    [Fact]
    public async Task An_update_saves_the_password_hash_role_and_stamp()
    {
        var admin = NewUser("admin");
        var bob = NewUser("bob", User.Viewer);
        await F.Users.AddUserAsync(admin, false, Ct);
        await F.Users.AddUserAsync(bob, false, Ct);
        var changed = bob with { PasswordHash = "new-hash", Role = User.Admin, SecurityStamp = User.NewStamp() };

        (await F.Users.UpdateUserAsync(changed, Ct)).ShouldBe(UserChange.Done);

        (await F.Users.FindUserAsync(bob.Id, Ct)).ShouldBe(changed);
        (await F.Users.UpdateUserAsync(NewUser("ghost"), Ct)).ShouldBe(UserChange.NotFound);
    }

    [Fact]
    public async Task The_last_admin_can_be_neither_demoted_nor_deleted()
    {
        var admin = NewUser("admin");
        var viewer = NewUser("viewer", User.Viewer);
        await F.Users.AddUserAsync(admin, false, Ct);
        await F.Users.AddUserAsync(viewer, false, Ct);

        (await F.Users.UpdateUserAsync(admin with { Role = User.Viewer }, Ct)).ShouldBe(UserChange.LastAdmin);
        (await F.Users.DeleteUserAsync(admin.Id, Ct)).ShouldBe(UserChange.LastAdmin);
        (await F.Users.DeleteUserAsync(viewer.Id, Ct)).ShouldBe(UserChange.Done);
        (await F.Users.DeleteUserAsync(viewer.Id, Ct)).ShouldBe(UserChange.NotFound);
        (await F.Users.FindUserAsync(admin.Id, Ct))!.Role.ShouldBe(User.Admin);
    }

    [Fact]
    public async Task Two_admins_deleted_at_the_same_time_leave_one()
    {
        var admins = Enumerable.Range(0, 4).Select(i => NewUser($"admin{i}")).ToList();
        foreach (var admin in admins)
        {
            await F.Users.AddUserAsync(admin, false, Ct);
        }

        var results = await Task.WhenAll(admins.Select(a => F.Users.DeleteUserAsync(a.Id, Ct)));

        results.Count(r => r == UserChange.Done).ShouldBe(3);
        results.Count(r => r == UserChange.LastAdmin).ShouldBe(1);
        (await F.Users.UsersAsync(Ct)).Single().IsAdmin.ShouldBeTrue();
    }
}
