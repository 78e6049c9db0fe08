using Lifeline.Client.Push;

namespace Lifeline.Client.Tests.Push;

public class PushRequestsTests
{
    private static readonly Uri ApiPush = new("http://127.0.0.1:5080/api/push/tok123");
    private static readonly Uri Ping = new("http://127.0.0.1:5080/ping/tok123");
    private static readonly Guid Rid = Guid.Parse("0f5b8f4e-7f55-4a4b-9d55-3b1f6c2a9e10");

    [Fact]
    public void An_api_push_signal_carries_status_msg_value_and_ping_in_the_query()
    {
        var request = PushRequests.Signal(ApiPush, new PushSignal(false, "disk full & more", 42.5, 12));

        request.Method.ShouldBe(HttpMethod.Get);
        request.Url.AbsolutePath.ShouldBe("/api/push/tok123");
        request.Url.Query.ShouldBe("?status=down&msg=disk%20full%20%26%20more&value=42.5&ping=12");
        request.Body.ShouldBeNull();
    }

    [Fact]
    public void A_down_signal_on_a_ping_url_goes_to_fail_with_the_message_as_body()
    {
        var request = PushRequests.Signal(Ping, PushSignal.Down("disk full"));

        request.Method.ShouldBe(HttpMethod.Post);
        request.Url.AbsolutePath.ShouldBe("/ping/tok123/fail");
        request.Body.ShouldBe("disk full");
    }

    [Fact]
    public void An_up_signal_on_a_ping_url_goes_to_the_url_itself()
    {
        PushRequests.Signal(new Uri("http://127.0.0.1/ping/tok123/"), PushSignal.Ok).Url.AbsolutePath.ShouldBe("/ping/tok123/");
    }

    [Fact]
    public void Start_and_finish_share_the_run_id_and_finish_names_the_exit_status()
    {
        var start = PushRequests.Start(Ping, Rid)!;
        var finish = PushRequests.Finish(Ping, 3, Rid, "tail of output");

        start.Url.PathAndQuery.ShouldBe($"/ping/tok123/start?rid={Rid}");
        finish.Url.PathAndQuery.ShouldBe($"/ping/tok123/3?rid={Rid}");
        finish.Body.ShouldBe("tail of output");
    }

    [Fact]
    public void An_api_push_url_has_no_start_and_its_finish_is_up_or_down_with_the_last_line()
    {
        PushRequests.Start(ApiPush, Rid).ShouldBeNull();

        var finish = PushRequests.Finish(ApiPush, 2, Rid, "copying\nno space left\n");

        finish.Url.Query.ShouldBe("?status=down&msg=exit%20status%202%3A%20no%20space%20left");
    }

    [Fact]
    public void Existing_query_parameters_are_kept()
    {
        var start = PushRequests.Start(new Uri("http://127.0.0.1/ping/key/backup?create=1"), Rid)!;

        start.Url.PathAndQuery.ShouldBe($"/ping/key/backup/start?create=1&rid={Rid}");
    }
}
