namespace Lifeline.Storage.Conformance;

/// <summary>Status pages, their notes, the many-monitor reads a page needs, and badge keys.</summary>
public abstract class StatusPageStoreTests : StoreTests
{
    private StatusPage NewPage(string slug, params StatusGroup[] groups) => new()
    {
        Id = Secrets.NewId(), Slug = slug, Title = "Acme status", Description = "Our services", Groups = groups, CreatedAt = F.Clock.GetUtcNow(),
    };

    private StatusNote NewNote(string pageId, string title) => new()
    {
        Id = Secrets.NewId(), PageId = pageId, Title = title, Body = "We are looking into it", State = NoteState.Investigating,
        CreatedAt = F.Clock.GetUtcNow(), UpdatedAt = F.Clock.GetUtcNow(),
    };

    [Fact]
    public async Task A_page_comes_back_with_its_groups_in_order_by_id_and_by_slug()
    {
        var page = NewPage("acme", new StatusGroup("Web", ["m1", "m2"]), new StatusGroup("Jobs", ["m3"]));
        await F.StatusPages.AddPageAsync(page, Ct);

        var byId = await F.StatusPages.FindPageAsync(page.Id, Ct);
        var bySlug = await F.StatusPages.FindPageBySlugAsync("acme", Ct);

        byId.ShouldNotBeNull();
        byId.Title.ShouldBe("Acme status");
        byId.Description.ShouldBe("Our services");
        byId.CreatedAt.ShouldBe(page.CreatedAt);
        byId.Groups.Select(g => g.Name).ShouldBe(["Web", "Jobs"]);
        byId.Groups[0].Monitors.ShouldBe(["m1", "m2"]);
        byId.MonitorIds.ShouldBe(["m1", "m2", "m3"]);
        bySlug!.Id.ShouldBe(page.Id);
        (await F.StatusPages.FindPageBySlugAsync("other", Ct)).ShouldBeNull();
    }

    [Fact]
    public async Task A_second_page_with_a_taken_slug_is_a_slug_conflict_on_add_and_on_update()
    {
        await F.StatusPages.AddPageAsync(NewPage("acme"), Ct);
        var other = NewPage("beta");
        await F.StatusPages.AddPageAsync(other, Ct);

        var onAdd = await Should.ThrowAsync<ConflictException>(() => F.StatusPages.AddPageAsync(NewPage("acme"), Ct));
        var onUpdate = await Should.ThrowAsync<ConflictException>(() => F.StatusPages.UpdatePageAsync(other with { Slug = "acme" }, Ct));

        onAdd.Field.ShouldBe("slug");
        onUpdate.Field.ShouldBe("slug");
        (await F.StatusPages.PagesAsync(Ct)).Select(p => p.Slug).ShouldBe(["acme", "beta"]);
    }

    [Fact]
    public async Task An_updated_page_keeps_its_id_and_creation_time_and_an_unknown_one_is_not_updated()
    {
        var page = NewPage("acme");
        await F.StatusPages.AddPageAsync(page, Ct);

        var updated = await F.StatusPages.UpdatePageAsync(page with { Slug = "acme-2", Title = "New", Groups = [new StatusGroup("All", ["x"])] }, Ct);
        var unknown = await F.StatusPages.UpdatePageAsync(NewPage("ghost"), Ct);

        updated.ShouldBeTrue();
        unknown.ShouldBeFalse();
        var stored = (await F.StatusPages.FindPageAsync(page.Id, Ct))!;
        stored.Slug.ShouldBe("acme-2");
        stored.Title.ShouldBe("New");
        stored.Groups.Single().Monitors.ShouldBe(["x"]);
        (await F.StatusPages.FindPageBySlugAsync("ghost", Ct)).ShouldBeNull();
    }

    [Fact]
    public async Task Notes_come_newest_first_change_state_and_go_with_their_page()
    {
        var page = NewPage("acme");
        await F.StatusPages.AddPageAsync(page, Ct);
        var first = NewNote(page.Id, "Slow logins");
        await F.StatusPages.AddNoteAsync(first, Ct);
        F.Clock.Advance(TimeSpan.FromMinutes(5));
        var second = NewNote(page.Id, "Database failover");
        await F.StatusPages.AddNoteAsync(second, Ct);
        F.Clock.Advance(TimeSpan.FromMinutes(5));

        var changed = await F.StatusPages.UpdateNoteAsync(first with { State = NoteState.Resolved, Body = "Fixed", UpdatedAt = F.Clock.GetUtcNow() }, Ct);
        var notes = await F.StatusPages.NotesAsync(page.Id, 10, Ct);
        var resolved = await F.StatusPages.FindNoteAsync(page.Id, first.Id, Ct);
        var wrongPage = await F.StatusPages.FindNoteAsync("other-page", first.Id, Ct);

        changed.ShouldBeTrue();
        notes.Select(n => n.Title).ShouldBe(["Database failover", "Slow logins"]);
        resolved!.State.ShouldBe(NoteState.Resolved);
        resolved.Body.ShouldBe("Fixed");
        resolved.UpdatedAt.ShouldBe(F.Clock.GetUtcNow());
        resolved.CreatedAt.ShouldBe(first.CreatedAt);
        wrongPage.ShouldBeNull();
        (await F.StatusPages.NotesAsync(page.Id, 1, Ct)).Single().Id.ShouldBe(second.Id);

        (await F.StatusPages.DeleteNoteAsync(page.Id, second.Id, Ct)).ShouldBeTrue();
        (await F.StatusPages.DeleteNoteAsync(page.Id, second.Id, Ct)).ShouldBeFalse();
        (await F.StatusPages.DeletePageAsync(page.Id, Ct)).ShouldBeTrue();
        (await F.StatusPages.DeletePageAsync(page.Id, Ct)).ShouldBeFalse();
        (await F.StatusPages.NotesAsync(page.Id, 10, Ct)).ShouldBeEmpty();
        (await F.StatusPages.FindPageAsync(page.Id, Ct)).ShouldBeNull();
    }

    [Fact]
    public async Task Many_monitors_come_in_one_read_leaving_out_unknown_ids()
    {
        var a = await F.Monitors.AddAsync(F.NewPush("a"), Ct);
        var b = await F.Monitors.AddAsync(F.NewPush("b"), Ct);
        await F.Monitors.AddAsync(F.NewPush("c"), Ct);
        await F.Monitors.RecordAsync(SignalAddress.ForToken(a.PushToken!), F.Down(), Ct);

        var found = await F.StatusPages.MonitorsAsync([a.Id, b.Id, "no-such-monitor"], Ct);

        found.Select(m => m.Name).Order().ShouldBe(["a", "b"]);
        found.Single(m => m.Id == a.Id).Status.ShouldBe(MonitorStatus.Down);
        (await F.StatusPages.MonitorsAsync([], Ct)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Incidents_since_a_time_are_those_open_or_ended_after_it_for_the_monitors_asked_only()
    {
        var a = await F.Monitors.AddAsync(F.NewPush("a"), Ct);
        var b = await F.Monitors.AddAsync(F.NewPush("b"), Ct);
        var other = await F.Monitors.AddAsync(F.NewPush("other"), Ct);
        async Task Outage(Monitor m, TimeSpan length)
        {
            await F.Monitors.RecordAsync(SignalAddress.ForToken(m.PushToken!), F.Down(), Ct);
            F.Clock.Advance(length);
            await F.Monitors.RecordAsync(SignalAddress.ForToken(m.PushToken!), F.Up(), Ct);
        }
        await Outage(a, TimeSpan.FromHours(1));
        F.Clock.Advance(TimeSpan.FromDays(2));
        var from = F.Clock.GetUtcNow();
        await Outage(b, TimeSpan.FromMinutes(10));
        await Outage(other, TimeSpan.FromMinutes(10));
        await F.Monitors.RecordAsync(SignalAddress.ForToken(a.PushToken!), F.Down("again"), Ct);

        var incidents = await F.StatusPages.IncidentsSinceAsync([a.Id, b.Id], from, Ct);

        incidents.Select(i => (i.MonitorId, i.EndedAt is null)).ShouldBe([(b.Id, false), (a.Id, true)]);
        incidents[0].StartedAt.ShouldBe(from);
        incidents[0].EndedAt.ShouldBe(from.AddMinutes(10));
    }

    [Fact]
    public async Task Every_monitor_gets_its_own_badge_key_which_finds_it_and_survives_an_edit()
    {
        var a = await F.Monitors.AddAsync(F.NewPush("a"), Ct);
        var b = await F.Monitors.AddAsync(F.NewPush("b"), Ct);

        await F.Monitors.ChangeAsync(a.Id, m => Flip.Quiet(m, m with { Name = "renamed", BadgeKey = null }), Ct);
        var found = await F.StatusPages.FindByBadgeKeyAsync(a.BadgeKey!, Ct);

        a.BadgeKey.ShouldNotBeNullOrEmpty();
        a.BadgeKey.Length.ShouldBeGreaterThanOrEqualTo(22);
        b.BadgeKey.ShouldNotBe(a.BadgeKey);
        found!.Id.ShouldBe(a.Id);
        found.Name.ShouldBe("renamed");
        found.BadgeKey.ShouldBe(a.BadgeKey);
        (await F.Monitors.FindAsync(b.Id, Ct))!.BadgeKey.ShouldBe(b.BadgeKey);
        (await F.StatusPages.FindByBadgeKeyAsync("not-a-key", Ct)).ShouldBeNull();
    }
}
